package cqrs

import (
	"fmt"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
)

// slowSyncPublish is how long a publish on the synchronous ChannelTransport
// waits for the handling of its messages before it logs a warning. A
// handler that publishes with a context not derived from its own (such as
// context.Background()) breaks the synchronous chain: when the handling of
// what it publishes needs a lock the handler holds, the publish waits for
// good, and the warning is all that tells.
const slowSyncPublish = 30 * time.Second

// watchSyncPublish logs one warning, through the transport's Logger, if
// the synchronous publish of msgs to dest has not returned after
// slowSyncPublish; the publish calls stop once it returned.
func (t *ChannelTransport) watchSyncPublish(dest string, msgs []*message.Message) (stop func() bool) {
	return time.AfterFunc(slowSyncPublish, func() {
		uuids := make([]string, len(msgs))
		for i, m := range msgs {
			uuids[i] = m.UUID
		}
		t.cfg.Logger.Error("synchronous publish still waits for its messages to be handled; "+
			"a publish from inside a handler must pass the handler's context, "+
			"or it may wait for good on a lock the handler holds (or set ChannelConfig.Async)",
			fmt.Errorf("cqrs: publish to %q waited %s", dest, slowSyncPublish),
			watermill.LogFields{"destination": dest, "message_uuid": strings.Join(uuids, ",")})
	}).Stop
}
