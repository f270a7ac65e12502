package cqrs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// HybridConfig says which transport carries each destination of a service.
// A destination named in Destinations goes there; otherwise a command
// destination goes to Commands and an event destination to Events when they
// are set; everything else goes to Default.
//
// A destination's kind is known once a service on the HybridTransport has
// bound it (registered a type there, or listened to it). When Commands or
// Events is set, so that a command and an event there would go to
// different transports, the HybridTransport has no publisher (nor
// subscriber) for a destination outside Destinations that no Bind named,
// and says so with ErrNotBound: an outbox in front (outbox.Transport,
// dynamostore's Outbox) then holds its messages for the grace of a
// rolling deploy, as for any destination without a publisher, until an
// instance that knows it relays them, rather than publish them on Default,
// the wrong transport for one of the kinds. To publish to such a
// destination without a Bind (a tool redriving messages), name it in
// Destinations. Without Commands and Events, or with both equal to Default,
// Default carries every destination, bound or not.
type HybridConfig struct {
	// Default carries every destination not given to another transport.
	// Required.
	Default Transport
	// Commands carries the command destinations. Optional.
	Commands Transport
	// Events carries the event destinations. Optional.
	Events Transport
	// Destinations carries the named destinations, whatever their kind.
	// Optional.
	Destinations map[string]Transport
}

// Validate reports every problem at once, each naming its field. Transports
// are told apart by identity, so each must be comparable: of a comparable
// type (pointer types are), holding no value that is not (a struct that
// embeds a transport of an uncomparable type is not).
func (c HybridConfig) Validate() error {
	var errs []error
	if c.Default == nil {
		errs = append(errs, errors.New("cqrs: HybridConfig.Default is required"))
	}
	check := func(field string, t Transport) {
		switch {
		case t == nil:
		case fieldcheck.IsTypedNil(t):
			errs = append(errs, fmt.Errorf("cqrs: HybridConfig.%s: nil %T, must be a transport", field, t))
		case !reflect.TypeOf(t).Comparable():
			errs = append(errs, fmt.Errorf("cqrs: HybridConfig.%s: transport type %T is not comparable", field, t))
		case !reflect.ValueOf(t).Comparable():
			errs = append(errs, fmt.Errorf("cqrs: HybridConfig.%s: transport type %T holds a value that is not comparable", field, t))
		}
	}
	check("Default", c.Default)
	check("Commands", c.Commands)
	check("Events", c.Events)
	for dest, t := range c.Destinations {
		if t == nil {
			errs = append(errs, fmt.Errorf("cqrs: HybridConfig.Destinations[%q] is nil", dest))
		}
		check(fmt.Sprintf("Destinations[%q]", dest), t)
	}
	return errors.Join(errs...)
}

// HybridTransport carries each destination over the transport its
// HybridConfig picks: for example commands in process and events on AWS, or
// one audit destination on a transport of its own. Service code does not
// change; only the HybridConfig does. Every service on a HybridTransport
// binds every inner transport, so one holding a transport that serves a
// single service (PubSubTransport, awsbus.Transport) serves a single
// service too: give each service its own HybridTransport then.
type HybridTransport struct {
	cfg        HybridConfig
	transports []Transport // distinct, in the order Default, Commands, Events, Destinations

	mu    sync.Mutex
	kinds map[string]sourceflow.Kind
	bound map[boundKey]sourceflow.Binding // the part each bound transport was given
}

// boundKey names one inner transport bound for one service.
type boundKey struct {
	service   string
	transport Transport
}

// NewHybridTransport returns a transport that dispatches by destination.
func NewHybridTransport(cfg HybridConfig) (*HybridTransport, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &HybridTransport{cfg: cfg, kinds: map[string]sourceflow.Kind{}, bound: map[boundKey]sourceflow.Binding{}}
	h.add(cfg.Default)
	h.add(cfg.Commands)
	h.add(cfg.Events)
	for _, dest := range slices.Sorted(maps.Keys(cfg.Destinations)) {
		h.add(cfg.Destinations[dest])
	}
	return h, nil
}

func (h *HybridTransport) add(t Transport) {
	if t == nil {
		return
	}
	for _, have := range h.transports {
		if have == t {
			return
		}
	}
	h.transports = append(h.transports, t)
}

// pick returns the transport of destination, whose kind is kind (zero when
// unknown).
func (h *HybridTransport) pick(destination string, kind sourceflow.Kind) Transport {
	if t, ok := h.cfg.Destinations[destination]; ok {
		return t
	}
	switch {
	case kind == sourceflow.KindCommand && h.cfg.Commands != nil:
		return h.cfg.Commands
	case kind == sourceflow.KindEvent && h.cfg.Events != nil:
		return h.cfg.Events
	}
	return h.cfg.Default
}

// Bind hands each transport the part of b it carries: the routes and
// listeners of its destinations, and the service name. Every transport is
// bound, even one that carries nothing, so services sharing a
// HybridTransport each bind every inner transport. When a transport fails,
// the others are still bound and the errors are joined. A transport already
// bound with the very same part for the service is not bound again (a
// retried Bind binds the transports that failed); one whose part changed
// (registrations added after a failed Start, a service rebuilt under the
// same name) is bound again with the new part, so it learns the new
// routes, or refuses a second Bind with an error (awsbus) rather than
// leaving them unknown.
func (h *HybridTransport) Bind(ctx context.Context, b sourceflow.Binding) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range b.Routes {
		h.kinds[r.Destination] = r.Kind
	}
	for _, l := range b.Listeners {
		h.kinds[l.Destination] = l.Kind
	}
	parts := map[Transport]*sourceflow.Binding{}
	for _, t := range h.transports {
		parts[t] = &sourceflow.Binding{Service: b.Service}
	}
	for _, r := range b.Routes {
		part := parts[h.pick(r.Destination, r.Kind)]
		part.Routes = append(part.Routes, r)
	}
	for _, l := range b.Listeners {
		part := parts[h.pick(l.Destination, l.Kind)]
		part.Listeners = append(part.Listeners, l)
	}
	var errs []error
	for i, t := range h.transports {
		key := boundKey{service: b.Service, transport: t}
		if prev, ok := h.bound[key]; ok && samePart(prev, *parts[t]) {
			continue // bound to this very part already
		}
		if err := t.Bind(ctx, *parts[t]); err != nil {
			errs = append(errs, fmt.Errorf("cqrs: bind hybrid transport %d (%T): %w", i, t, err))
			continue
		}
		h.bound[key] = *parts[t]
	}
	return errors.Join(errs...)
}

// samePart reports whether a and b are the same part of a routing, in
// whatever order its routes and listeners were registered.
func samePart(a, b sourceflow.Binding) bool {
	canon := func(b sourceflow.Binding) sourceflow.Binding {
		b.Routes = slices.Clone(b.Routes)
		slices.SortFunc(b.Routes, func(x, y sourceflow.Route) int { return strings.Compare(x.Type, y.Type) })
		b.Listeners = slices.Clone(b.Listeners)
		slices.SortFunc(b.Listeners, func(x, y sourceflow.Listener) int { return strings.Compare(x.Destination, y.Destination) })
		return b
	}
	return reflect.DeepEqual(canon(a), canon(b))
}

// transportOf returns the transport of destination, by the kind a
// Binding gave it, or nil when it cannot tell: no Bind named destination,
// it is not in Destinations, and a command and an event would go to
// different transports (Commands or Events is set).
func (h *HybridTransport) transportOf(destination string) Transport {
	h.mu.Lock()
	defer h.mu.Unlock()
	if kind, ok := h.kinds[destination]; ok {
		return h.pick(destination, kind)
	}
	commands, events := h.pick(destination, sourceflow.KindCommand), h.pick(destination, sourceflow.KindEvent)
	if commands != events {
		return nil
	}
	return commands
}

// leg returns the transport of destination, or ErrNotBound when no Bind
// named it and its kind would pick the transport (see transportOf).
func (h *HybridTransport) leg(destination string) (Transport, error) {
	if t := h.transportOf(destination); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("%w: HybridTransport: no service bound destination %q, so whether it "+
		"carries commands or events, and so its transport, is not known (name it in "+
		"HybridConfig.Destinations to route it without a Bind)", ErrNotBound, destination)
}

// Publisher returns the publisher of destination from its transport. A
// destination no Bind named, outside Destinations, is refused with
// ErrNotBound when Commands or Events would carry it, by its kind, on
// another transport than the other kind's: an outbox in front holds its
// messages (see HybridConfig) rather than publish them on the wrong one.
func (h *HybridTransport) Publisher(destination string) (message.Publisher, error) {
	t, err := h.leg(destination)
	if err != nil {
		return nil, err
	}
	return t.Publisher(destination)
}

// Subscriber returns the subscriber of destination from its transport,
// refusing as Publisher does a destination whose transport it cannot tell.
func (h *HybridTransport) Subscriber(destination string) (message.Subscriber, error) {
	t, err := h.leg(destination)
	if err != nil {
		return nil, err
	}
	return t.Subscriber(destination)
}

// Close closes every distinct transport once and joins their errors, each
// naming its transport as Bind's do.
func (h *HybridTransport) Close() error {
	var errs []error
	for i, t := range h.transports {
		if err := t.Close(); err != nil {
			errs = append(errs, fmt.Errorf("cqrs: close hybrid transport %d (%T): %w", i, t, err))
		}
	}
	return errors.Join(errs...)
}

// PublishesInTransaction reports whether one of its transports is an
// OutboxTransport that publishes in the transaction a context carries. Then
// the service runs every saga's save and its sends in one transaction (see
// OutboxTransport), whatever transport each destination is on: messages to
// the outbox's destinations commit with the state, messages to the others
// are published during the transaction, before it commits, as without an
// outbox. A synchronous ChannelTransport member refuses such publishes
// (ErrPublishInTransaction): make it Async.
func (h *HybridTransport) PublishesInTransaction() bool {
	for _, t := range h.transports {
		if o, ok := t.(OutboxTransport); ok && o.PublishesInTransaction() {
			return true
		}
	}
	return false
}

var (
	_ Transport       = (*HybridTransport)(nil)
	_ OutboxTransport = (*HybridTransport)(nil)
)
