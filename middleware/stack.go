package middleware

import (
	"fmt"
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
	consume [ConsumeRetry + 1][]namedMiddleware
	produce [ProduceMetrics + 1][]namedDecorator
}

type namedMiddleware struct {
	name string
	m    message.HandlerMiddleware
}

type namedDecorator struct {
	name string
	d    message.PublisherDecorator
}

// NewStack returns an empty Stack. It is the same as new(Stack).
func NewStack() *Stack { return &Stack{} }

// Use appends m to the consume-side phase under name. It fails with
// ErrUnknownPhase, ErrEmptyName, ErrNilMiddleware or ErrDuplicateName (a name
// is unique within its phase) and then leaves the Stack unchanged.
func (s *Stack) Use(phase ConsumePhase, name string, m message.HandlerMiddleware) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.use(phase, name, m)
}

func (s *Stack) use(phase ConsumePhase, name string, m message.HandlerMiddleware) error {
	if !phase.valid() {
		return fmt.Errorf("%w: consume phase %d (name %q)", ErrUnknownPhase, int(phase), name)
	}
	if err := checkEntry(phase.String(), name, m == nil); err != nil {
		return err
	}
	for _, e := range s.consume[phase] {
		if e.name == name {
			return fmt.Errorf("%w: consume phase %s already has %q", ErrDuplicateName, phase, name)
		}
	}
	s.consume[phase] = append(s.consume[phase], namedMiddleware{name: name, m: m})
	return nil
}

// Decorate appends d to the produce-side phase under name. It fails like Use.
func (s *Stack) Decorate(phase ProducePhase, name string, d message.PublisherDecorator) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.decorate(phase, name, d)
}

func (s *Stack) decorate(phase ProducePhase, name string, d message.PublisherDecorator) error {
	if !phase.valid() {
		return fmt.Errorf("%w: produce phase %d (name %q)", ErrUnknownPhase, int(phase), name)
	}
	if err := checkEntry(phase.String(), name, d == nil); err != nil {
		return err
	}
	for _, e := range s.produce[phase] {
		if e.name == name {
			return fmt.Errorf("%w: produce phase %s already has %q", ErrDuplicateName, phase, name)
		}
	}
	s.produce[phase] = append(s.produce[phase], namedDecorator{name: name, d: d})
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
	var out []message.HandlerMiddleware
	for _, p := range ConsumePhases() {
		for _, e := range s.consume[p] {
			out = append(out, e.m)
		}
	}
	return out
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
	var out []message.PublisherDecorator
	for _, p := range ProducePhases() {
		for _, e := range s.produce[p] {
			out = append(out, e.d)
		}
	}
	return out
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
	var chain []namedDecorator
	var phases []ProducePhase
	for _, p := range ProducePhases() {
		for _, e := range s.produce[p] {
			chain = append(chain, e)
			phases = append(phases, p)
		}
	}
	s.mu.RUnlock()
	for i := len(chain) - 1; i >= 0; i-- {
		next, err := chain[i].d(pub)
		if err != nil {
			return nil, fmt.Errorf("middleware: decorator %q (phase %s): %w", chain[i].name, phases[i], err)
		}
		pub = next
	}
	return pub, nil
}

// String shows both chains with every phase, empty or not, and the names
// registered in each, e.g.
//
//	consume: recover(recover) → tracing(correlation, otel) → metrics → idempotency → decrypt → retry(retry) → handler; produce: correlation(correlation) → tracing → encrypt → metrics → transport
func (s *Stack) String() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var b strings.Builder
	b.WriteString("consume: ")
	for _, p := range ConsumePhases() {
		writePhase(&b, p.String(), namesOf(s.consume[p], func(e namedMiddleware) string { return e.name }))
	}
	b.WriteString("handler; produce: ")
	for _, p := range ProducePhases() {
		writePhase(&b, p.String(), namesOf(s.produce[p], func(e namedDecorator) string { return e.name }))
	}
	b.WriteString("transport")
	return b.String()
}

func namesOf[E any](entries []E, name func(E) string) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = name(e)
	}
	return out
}

func writePhase(b *strings.Builder, phase string, names []string) {
	b.WriteString(phase)
	if len(names) > 0 {
		b.WriteString("(" + strings.Join(names, ", ") + ")")
	}
	b.WriteString(" → ")
}
