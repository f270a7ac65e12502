package cqrs

import (
	"fmt"
	"time"
)

// transportCloseWait says, for the error of a Close whose router gave up on
// its handlers after ServiceConfig.CloseTimeout, how much longer closing
// the subscriptions of t waits for them: its own CloseTimeout, when t is a
// transport of this package whose bound is the longer one, or, for a
// HybridTransport, the longest of its transports', or the one a transport
// of another package names (boundedTransport), or, for a transport in
// front of another (see innerTransport), the inner one's. Empty otherwise.
func transportCloseWait(t Transport, serviceBound time.Duration) string {
	field, bound := closeBound(t)
	if bound <= serviceBound {
		return ""
	}
	return fmt.Sprintf("; closing its subscriptions waits for them until the transport's %s %s after the close began", field, bound)
}

// boundedTransport is a transport of another package that names the bound
// closing its subscriptions waits up to, and the field that sets it
// (awsbus.Transport's ShutdownTimeout).
type boundedTransport interface {
	CloseBound() (field string, bound time.Duration)
}

// innerTransport is a transport in front of another, which its services
// subscribe through, and which Inner returns (outbox.Transport): closing
// its subscriptions waits as long as closing the inner transport's does.
type innerTransport interface {
	Inner() Transport
}

// maxInnerDepth is the most transports in front of others (innerTransport)
// closeBound reaches through: a wrapper whose Inner returns itself, or a
// cycle of them, must not make a Close recurse without end.
const maxInnerDepth = 8

// closeBound is the CloseTimeout that closing t's subscriptions waits up
// to, and the field that sets it: a HybridTransport's is the longest of its
// transports', a transport of another package that names its own
// (boundedTransport) has that, a transport in front of another
// (innerTransport) has the inner one's, up to maxInnerDepth of them. Zero
// for another transport of another package.
func closeBound(t Transport) (string, time.Duration) {
	return closeBoundWithin(t, maxInnerDepth)
}

// closeBoundWithin is closeBound reaching through at most depth more
// transports in front of others.
func closeBoundWithin(t Transport, depth int) (string, time.Duration) {
	switch t := t.(type) {
	case *PubSubTransport:
		return "PubSubConfig.CloseTimeout", t.cfg.CloseTimeout
	case *ChannelTransport:
		return "ChannelConfig.CloseTimeout", t.cfg.CloseTimeout
	case *HybridTransport:
		var field string
		var longest time.Duration
		for _, inner := range t.transports {
			if f, b := closeBoundWithin(inner, depth); b > longest {
				field, longest = f, b
			}
		}
		return field, longest
	case boundedTransport:
		return t.CloseBound()
	case innerTransport:
		if depth > 0 {
			return closeBoundWithin(t.Inner(), depth-1)
		}
	}
	return "", 0
}
