package outbox

import (
	"errors"
	"fmt"
)

// errUnnamed refuses a write into an outbox whose Topic is still to come
// from the service name at Bind.
var errUnnamed = errors.New("the outbox has no Topic yet: it is the service's, named at Bind; " +
	"send in a transaction after the service started, or set Config.Topic")

// nameTopic sets the Topic from service, TopicFor(service), at the first
// Bind of a Transport whose Config left it empty. A later Bind of another
// service is refused: its rows would go into the first service's outbox.
func (t *Transport) nameTopic(service string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.cfg.Topic == "" && service == "":
		return fmt.Errorf("outbox: %w: Config.Topic is empty and the Binding names no service to derive it from: set Config.Topic", ErrInvalidConfig)
	case t.cfg.Topic == "":
		t.cfg.Topic, t.namedBy = TopicFor(service), service
	case t.namedBy != "" && service != t.namedBy:
		return fmt.Errorf("outbox: %w: service %q bound this outbox, whose Topic %q comes from its name; service %q needs an outbox Transport of its own (or set Config.Topic)",
			ErrInvalidConfig, t.namedBy, t.cfg.Topic, service)
	}
	return nil
}

// topic returns the outbox's Topic, "" before the Bind that names it.
func (t *Transport) topic() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cfg.Topic
}

// derivedFrom returns the service whose name gave the Topic, "" when
// Config set it.
func (t *Transport) derivedFrom() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.namedBy
}
