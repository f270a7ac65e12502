package awsbus

import (
	"errors"
	"fmt"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// routing is the merged routing of a Config and a Binding: every
// destination with its kind, the types routed to it and the types handled
// on it. It collects every problem instead of stopping at the first.
type routing struct {
	service string
	dests   map[string]*destination
	types   map[string]typeRoute
	errs    []error
}

type typeRoute struct {
	dest  string
	kind  sourceflow.Kind
	field string
}

type destination struct {
	name        string
	kind        sourceflow.Kind
	field       string
	routed      []string
	listened    bool
	listenField string
	handled     []string
	hasHandlers bool
}

func newRouting(service string) *routing {
	return &routing{service: service, dests: map[string]*destination{}, types: map[string]typeRoute{}}
}

func (r *routing) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

// addConfig adds the routes and listened destinations of c.
func (r *routing) addConfig(c Config) {
	for i, cr := range c.Commands {
		r.route(cr.Type, cr.Queue, sourceflow.KindCommand, fmt.Sprintf("Commands[%d]", i))
	}
	for i, er := range c.Events {
		r.route(er.Type, er.Topic, sourceflow.KindEvent, fmt.Sprintf("Events[%d]", i))
	}
	for i, q := range c.ListenQueues {
		r.listen(q, sourceflow.KindCommand, fmt.Sprintf("ListenQueues[%d]", i))
	}
	for i, t := range c.SubscribeTopics {
		r.listen(t, sourceflow.KindEvent, fmt.Sprintf("SubscribeTopics[%d]", i))
	}
}

// addBinding merges b: its routes, and its listeners with the types they
// handle. A handled type that is not routed yet is routed to the listened
// destination.
func (r *routing) addBinding(b sourceflow.Binding) {
	switch {
	case r.service == "":
		r.service = b.Service
	case b.Service != "" && b.Service != r.service:
		r.fail("Service: %q in Config, %q in Binding: %w", r.service, b.Service, ErrDuplicateRoute)
	}
	for i, rt := range b.Routes {
		r.route(rt.Type, rt.Destination, rt.Kind, fmt.Sprintf("Binding.Routes[%d]", i))
	}
	for i, l := range b.Listeners {
		field := fmt.Sprintf("Binding.Listeners[%d]", i)
		d := r.listen(l.Destination, l.Kind, field)
		if d == nil {
			continue
		}
		d.hasHandlers = true
		for _, t := range l.Types {
			r.route(t, l.Destination, l.Kind, field)
			if !slices.Contains(d.handled, t) {
				d.handled = append(d.handled, t)
			}
		}
	}
}

func (r *routing) route(typ, dest string, kind sourceflow.Kind, field string) {
	if typ == "" {
		r.fail("%s: empty type", field)
		return
	}
	if prev, ok := r.types[typ]; ok {
		if prev.dest != dest || prev.kind != kind {
			r.fail("%s: type %q routed to %s %q, already routed to %s %q by %s: %w",
				field, typ, kind, dest, prev.kind, prev.dest, prev.field, ErrDuplicateRoute)
		}
		return
	}
	d := r.dest(dest, kind, field)
	if d == nil {
		return
	}
	r.types[typ] = typeRoute{dest: dest, kind: kind, field: field}
	d.routed = append(d.routed, typ)
}

func (r *routing) listen(dest string, kind sourceflow.Kind, field string) *destination {
	d := r.dest(dest, kind, field)
	if d != nil && !d.listened {
		d.listened, d.listenField = true, field
	}
	return d
}

func (r *routing) dest(name string, kind sourceflow.Kind, field string) *destination {
	if kind != sourceflow.KindCommand && kind != sourceflow.KindEvent {
		r.fail("%s: destination %q has unknown kind %d", field, name, int(kind))
		return nil
	}
	d, ok := r.dests[name]
	if !ok {
		d = &destination{name: name, kind: kind, field: field}
		r.dests[name] = d
		return d
	}
	if d.kind != kind {
		r.fail("%s: destination %q used as %s, but as %s by %s: %w",
			field, name, kind, d.kind, d.field, ErrDuplicateRoute)
		return nil
	}
	return d
}

// sortedDests returns the destinations ordered by name.
func (r *routing) sortedDests() []*destination {
	out := make([]*destination, 0, len(r.dests))
	for _, d := range r.dests {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *destination) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	return out
}

// check validates the merged routing: AWS names (including derived event
// queues and dead-letter queues), FIFO pairing and, when bound (the Binding
// was merged), that every listened destination has a handler and that a
// service name exists for the event queues.
func (r *routing) check(c Config, bound bool) error {
	for _, d := range r.sortedDests() {
		r.checkDest(c, d, bound)
	}
	return errors.Join(r.errs...)
}

func (r *routing) checkDest(c Config, d *destination, bound bool) {
	field := d.field
	if d.listened {
		field = d.listenField
	}
	if bound && d.listened && len(d.handled) == 0 {
		r.fail("%s: %s %q is listened to but no type is handled there: %w", field, d.kind, d.name, ErrNoHandler)
	}
	if d.kind == sourceflow.KindCommand {
		if c.DisableCommandRouting {
			return
		}
		r.checkQueue(field, d.name)
		return
	}
	if c.DisableEventRouting {
		return
	}
	if err := ValidateTopicName(d.name); err != nil {
		r.fail("%s: %w", field, err)
	}
	if !d.listened || c.DisableEventListener {
		return
	}
	if r.service == "" {
		if bound {
			r.fail("Service: required to name the event queue of topic %q", d.name)
		}
		return
	}
	q := c.EventQueueName(EventQueueNameParams{Service: r.service, Topic: d.name})
	r.checkQueue(field+" event queue", q)
	if IsFIFO(q) != IsFIFO(d.name) {
		r.fail("%s: event queue %q of topic %q: a FIFO topic needs a FIFO queue and a standard "+
			"topic a standard queue: %w", field, q, d.name, ErrFIFOMismatch)
	}
}

func (r *routing) checkQueue(field, name string) {
	if err := ValidateQueueName(name); err != nil {
		r.fail("%s: %w", field, err)
		return
	}
	if err := ValidateQueueName(DLQName(name)); err != nil {
		r.fail("%s: dead-letter queue of %q: %w", field, name, err)
	}
}
