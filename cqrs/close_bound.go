package cqrs

import (
	"fmt"
	"time"
)

// transportCloseWait says, for the error of a Close whose router gave up on
// its handlers after ServiceConfig.CloseTimeout, how much longer closing
// the subscriptions of t waits for them: its own CloseTimeout, when t is a
// transport of this package whose bound is the longer one. Empty otherwise.
func transportCloseWait(t Transport, serviceBound time.Duration) string {
	var field string
	var bound time.Duration
	switch t := t.(type) {
	case *PubSubTransport:
		field, bound = "PubSubConfig.CloseTimeout", t.cfg.CloseTimeout
	case *ChannelTransport:
		field, bound = "ChannelConfig.CloseTimeout", t.cfg.CloseTimeout
	}
	if bound <= serviceBound {
		return ""
	}
	return fmt.Sprintf("; closing its subscriptions waits for them until the transport's %s %s after the close began", field, bound)
}
