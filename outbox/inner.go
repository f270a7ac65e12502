package outbox

import "github.com/sourceflow-go/sourceflow/cqrs"

// Inner returns the transport the outbox is in front of (Config.Transport),
// which services subscribe through: a service's Close reads its
// CloseTimeout, when it is one of package cqrs's transports, to say how
// long closing the subscriptions waits for handlers its own bound gave up
// on.
func (t *Transport) Inner() cqrs.Transport { return t.cfg.Transport }
