package cqrs

import (
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// slowSyncPublish is how long a publish on the synchronous ChannelTransport
// waits for the handling of its messages before it logs a warning. A
// handler that publishes with a context not derived from its own (such as
// context.Background()) breaks the synchronous chain: when the handling of
// what it publishes needs a lock the handler holds, the publish waits for
// good, and the warning is all that tells.
const slowSyncPublish = 30 * time.Second

// syncPublishWatch is the warning of one synchronous publish, of msgs to
// dest on t. Its mutex makes stop and the warning exclusive, so the warning
// never reads the caller's messages once the publish has returned.
type syncPublishWatch struct {
	t        *ChannelTransport
	dest     string
	msgs     []*message.Message
	mu       sync.Mutex
	returned bool
	timer    *time.Timer
}

// watchSyncPublish logs one warning, through the transport's Logger, if
// the synchronous publish of msgs to dest has not returned after
// slowSyncPublish; the publish calls stop once it returned.
func (t *ChannelTransport) watchSyncPublish(dest string, msgs []*message.Message) *syncPublishWatch {
	w := &syncPublishWatch{t: t, dest: dest, msgs: msgs}
	w.timer = time.AfterFunc(slowSyncPublish, w.warn)
	return w
}

// warn logs the warning unless the publish has returned.
func (w *syncPublishWatch) warn() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.returned {
		w.t.warnSlowPublish(w.dest, w.msgs)
	}
}

// stop ends the watch: the publish has returned.
func (w *syncPublishWatch) stop() {
	w.timer.Stop()
	w.mu.Lock()
	w.returned = true
	w.mu.Unlock()
}

// warnSlowPublish logs that the publish of msgs to dest still waits, with
// their count (messages) and the UUIDs of the first ten, then how many
// more (message_id, errtext.List): one publish may carry thousands of
// messages. The UUIDs are shown as sourceflow.IDText shows them (bounded,
// escaped): a handler may publish again a message it received, with the
// UUID its sender chose.
func (t *ChannelTransport) warnSlowPublish(dest string, msgs []*message.Message) {
	named := errtext.List(len(msgs), ",", " ", func(i int) string { return sourceflow.IDText(msgs[i].UUID) })
	t.cfg.Logger.Error("synchronous publish still waits for its messages to be handled: "+
		"a handler is slow, or the message was sent with a context not derived from its "+
		"handler's and waits for good on a lock that handler holds "+
		"(send with the handler's context, or set ChannelConfig.Async)",
		fmt.Errorf("cqrs: publish to %q has waited %s", dest, slowSyncPublish),
		watermill.LogFields{"destination": dest, "messages": len(msgs), "message_id": named})
}
