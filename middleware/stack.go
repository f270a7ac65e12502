package middleware

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Stack holds the pipeline's middleware in named phases whose order is fixed:
// the consume side runs ConsumeRecover … ConsumeRetry, then the handler; the
// produce side runs ProduceCorrelation … ProduceMetrics, then the transport.
// Several entries in one phase keep their registration order.
//
// The zero value is an empty Stack ready to use. A Stack is safe for
// concurrent use. HandlerMiddlewares, PublisherDecorators, WrapHandler and
// DecoratePublisher take a snapshot: entries added afterwards do not change
// chains already built.
type Stack struct {
	mu      sync.RWMutex
	consume [ConsumeRetry + 1][]named[message.HandlerMiddleware]
	produce [ProduceMetrics + 1][]named[message.PublisherDecorator]
}

// named is one registered middleware or decorator.
type named[F any] struct {
	name string
	f    F
}

// phaseOf is what ConsumePhase and ProducePhase have in common.
type phaseOf interface {
	~int
	String() string
	valid() bool
}

// NewStack returns an empty Stack. It is the same as new(Stack).
func NewStack() *Stack { return &Stack{} }

// Use appends m to the consume-side phase under name. It fails with
// ErrUnknownPhase, ErrEmptyName, ErrNilMiddleware or ErrDuplicateName (a name
// is unique within its phase) and then leaves the Stack unchanged.
func (s *Stack) Use(phase ConsumePhase, name string, m message.HandlerMiddleware) error {
	return s.locked(func() error { return appendEntry(s.consume[:], "consume", phase, name, m, m == nil) })
}

// Decorate appends d to the produce-side phase under name. It fails like Use.
func (s *Stack) Decorate(phase ProducePhase, name string, d message.PublisherDecorator) error {
	return s.locked(func() error { return appendEntry(s.produce[:], "produce", phase, name, d, d == nil) })
}

// locked runs change with the Stack locked for writing.
func (s *Stack) locked(change func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return change()
}

// appendEntry appends f under name to phases[phase] of one side.
func appendEntry[P phaseOf, F any](phases [][]named[F], side string, phase P, name string, f F, isNil bool) error {
	if !phase.valid() {
		return fmt.Errorf("%w: %s phase %d (name %q)", ErrUnknownPhase, side, int(phase), name)
	}
	if err := checkEntry(phase.String(), name, isNil); err != nil {
		return err
	}
	if err := checkUnique(phases[phase], side, phase, name); err != nil {
		return err
	}
	phases[phase] = append(phases[phase], named[F]{name: name, f: f})
	return nil
}

// checkUnique reports a name already registered in the phase.
func checkUnique[P phaseOf, F any](entries []named[F], side string, phase P, name string) error {
	if slices.ContainsFunc(entries, func(e named[F]) bool { return e.name == name }) {
		return fmt.Errorf("%w: %s phase %s already has %q", ErrDuplicateName, side, phase, name)
	}
	return nil
}

func checkEntry(phase, name string, isNil bool) error {
	if name == "" {
		return fmt.Errorf("%w (phase %s)", ErrEmptyName, phase)
	}
	if isNil {
		return fmt.Errorf("%w: %q (phase %s)", ErrNilMiddleware, name, phase)
	}
	return nil
}

// HandlerMiddlewares returns the consume-side chain, outermost first: the
// order message.Router.AddMiddleware and message.Handler.AddMiddleware expect
// (the first added runs first).
func (s *Stack) HandlerMiddlewares() []message.HandlerMiddleware {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return chainOf(s.consume[:])
}

// PublisherDecorators returns the produce-side chain with the decorator that
// sees an outgoing message first at index 0: the order
// message.Router.AddPublisherDecorators expects (the Router applies its list
// from the last to the first, so the first ends up outermost). To decorate a
// publisher by hand, use DecoratePublisher rather than applying this list
// front to back, which would reverse the phases.
func (s *Stack) PublisherDecorators() []message.PublisherDecorator {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return chainOf(s.produce[:])
}

// WrapHandler returns h wrapped in the consume-side chain, outermost first.
func (s *Stack) WrapHandler(h message.HandlerFunc) message.HandlerFunc {
	mws := s.HandlerMiddlewares()
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// DecoratePublisher returns pub wrapped in the produce-side chain, so that a
// published message passes ProduceCorrelation first and reaches pub last. An
// error from a decorator is returned wrapped with its phase and name.
func (s *Stack) DecoratePublisher(pub message.Publisher) (message.Publisher, error) {
	if pub == nil {
		return nil, ErrNilPublisher
	}
	s.mu.RLock()
	var chain []named[message.PublisherDecorator]
	var phases []ProducePhase
	for _, p := range ProducePhases() {
		for _, e := range s.produce[p] {
			chain = append(chain, e)
			phases = append(phases, p)
		}
	}
	s.mu.RUnlock()
	for i := len(chain) - 1; i >= 0; i-- {
		next, err := chain[i].f(pub)
		if err != nil {
			return nil, fmt.Errorf("middleware: decorator %q (phase %s): %w", chain[i].name, phases[i], err)
		}
		pub = next
	}
	return pub, nil
}

// String shows both chains: the phases that hold an entry, in phase order,
// each with the names registered in it. A phase without an entry is left
// out, so an empty Stack prints "consume: handler; produce: transport".
// For example:
//
//	consume: recover(recover) → tracing(correlation, otel) → retry(retry) → handler; produce: correlation(correlation) → transport
func (s *Stack) String() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var b strings.Builder
	b.WriteString("consume: ")
	for _, p := range ConsumePhases() {
		writePhase(&b, p.String(), namesOf(s.consume[p]))
	}
	b.WriteString("handler; produce: ")
	for _, p := range ProducePhases() {
		writePhase(&b, p.String(), namesOf(s.produce[p]))
	}
	b.WriteString("transport")
	return b.String()
}

// chainOf lists the entries of every phase, in phase order.
func chainOf[F any](phases [][]named[F]) []F {
	var out []F
	for _, entries := range phases {
		for _, e := range entries {
			out = append(out, e.f)
		}
	}
	return out
}

func namesOf[F any](entries []named[F]) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.name
	}
	return out
}

// writePhase writes "phase(name, …) → ", or nothing for a phase without
// an entry.
func writePhase(b *strings.Builder, phase string, names []string) {
	if len(names) == 0 {
		return
	}
	b.WriteString(phase + "(" + strings.Join(names, ", ") + ") → ")
}
