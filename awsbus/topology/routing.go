package topology

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/sourceflow-go/sourceflow"
)

// routing is the routing of a Binding by destination: its kind, the types
// routed to it, whether the Binding's routes name it, and the types handled
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
	sent        bool
	listened    bool
	listenField string
	handled     []string
	queue       string // a listened topic's event queue (nameEventQueues)
	// foreign is the destination named by ARN, parsed once when first
	// named (nil for a name, or for an ARN that does not parse: arnErr).
	foreign *Foreign
	arnErr  error
}

// newDestination records the destination name of kind, parsing it once
// when it is an ARN.
func newDestination(name string, kind sourceflow.Kind, field string) *destination {
	d := &destination{name: name, kind: kind, field: field}
	if IsARN(name) {
		f, err := ParseForeign(name, kind)
		if d.arnErr = err; err == nil {
			d.foreign = &f
		}
	}
	return d
}

// newRouting reads b: its routes, and its listeners with the types they
// handle. A handled type that is not routed is routed to the listened
// destination, for the checks, but only a destination that b.Routes names
// is sent to: a service sends and publishes the types it routes.
func newRouting(b sourceflow.Binding) *routing {
	r := &routing{service: b.Service, dests: map[string]*destination{}, types: map[string]typeRoute{}}
	for i, rt := range b.Routes {
		r.route(rt.Type, rt.Destination, rt.Kind, fmt.Sprintf("Binding.Routes[%d]", i))
		if d := r.dests[rt.Destination]; d != nil && d.kind == rt.Kind {
			d.sent = true
		}
	}
	for i, l := range b.Listeners {
		field := fmt.Sprintf("Binding.Listeners[%d]", i)
		d := r.dest(l.Destination, l.Kind, field)
		if d == nil {
			continue
		}
		if !d.listened {
			d.listened, d.listenField = true, field
		}
		for _, t := range l.Types {
			r.route(t, l.Destination, l.Kind, field)
			if !slices.Contains(d.handled, t) {
				d.handled = append(d.handled, t)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.dests)) {
		if d := r.dests[name]; d.kind == sourceflow.KindEvent && len(d.handled) > maxFilterTypes {
			r.fail("%s: %d types handled on topic %q, more than the %d an SNS filter policy names: split the topic",
				d.listenField, len(d.handled), name, maxFilterTypes)
		}
	}
	return r
}

func (r *routing) fail(format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(format, args...))
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

// unknownKindFormat is what New says, after a destination's name, of a
// destination whose kind is neither a command nor an event.
const unknownKindFormat = " has unknown kind %d"

func (r *routing) dest(name string, kind sourceflow.Kind, field string) *destination {
	if kind != sourceflow.KindCommand && kind != sourceflow.KindEvent {
		r.fail("%s: destination %q"+unknownKindFormat, field, name, int(kind))
		return nil
	}
	d, ok := r.dests[name]
	if !ok {
		d = newDestination(name, kind, field)
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
	slices.SortFunc(out, func(a, b *destination) int { return cmp.Compare(a.name, b.name) })
	return out
}

// check validates the routing: AWS names (derived event queues and
// dead-letter queues included), FIFO pairing, that every listened
// destination has a handler and that a service name exists for the event
// queues.
func (r *routing) check(opts Options) error {
	r.nameEventQueues(opts)
	for _, d := range r.sortedDests() {
		r.checkDest(d)
	}
	r.checkPartitions()
	return errors.Join(r.errs...)
}

// reportedField is the field an error on d names: its listener's when
// listened to, else the first that named it.
func (d *destination) reportedField() string {
	if d.listened {
		return d.listenField
	}
	return d.field
}

func (r *routing) checkDest(d *destination) {
	field := d.reportedField()
	if d.listened && len(d.handled) == 0 {
		r.fail("%s: %s %q is listened to but no type is handled there: %w", field, d.kind, d.name, ErrNoHandler)
	}
	if !r.checkName(field, d) || d.kind == sourceflow.KindCommand || !d.listened {
		return
	}
	if r.service == "" {
		r.fail("Binding.Service: required to name the event queue of topic %q", d.name)
		return
	}
	q := d.queue
	r.checkQueue(field+" event queue", q)
	if IsFIFO(q) != IsFIFO(d.name) {
		r.fail("%s: event queue %q of topic %q: a FIFO topic needs a FIFO queue and a standard "+
			"topic a standard queue: %w", field, q, d.name, ErrFIFOMismatch)
	}
}

// checkName checks the name of d: a queue or topic name, or the ARN of a
// Foreign one, which a service does not consume (its own event queue
// subscribes to a foreign topic). It reports whether the checks that
// follow can run.
func (r *routing) checkName(field string, d *destination) bool {
	if d.arnErr != nil {
		r.fail("%s: %w", field, d.arnErr)
		return false
	}
	if f := d.foreign; f != nil {
		if d.kind == sourceflow.KindCommand && d.listened {
			r.fail("%s: queue %s is of account %s, region %s: a service consumes only queues of its own "+
				"account and region, named by name: %w", field, d.name, f.Account, f.Region, ErrInvalidConfig)
			return false
		}
		return true
	}
	if d.kind == sourceflow.KindCommand {
		r.checkQueue(field, d.name)
		return true
	}
	if err := ValidateTopicName(d.name); err != nil {
		r.fail("%s: %w", field, err)
	}
	return true
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
