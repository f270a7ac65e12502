package middleware

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Step is one named piece of the pipeline with a consume side, a produce
// side or both, as tracing, metrics, encryption and correlation have. A
// side is left out when its phase is zero; a middleware or decorator given
// without its phase is an error.
type Step struct {
	// Name names both sides in Stack.String.
	Name string
	// Consume is the phase of Middleware.
	Consume    ConsumePhase
	Middleware message.HandlerMiddleware
	// Produce is the phase of Decorator.
	Produce   ProducePhase
	Decorator message.PublisherDecorator
}

// Add registers every side of every step in its phase, as Use and Decorate
// do, all or nothing: on any error, every problem is reported and the Stack
// is left unchanged.
func (s *Stack) Add(steps ...Step) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	consume, produce := s.clone()
	var errs []error
	for _, st := range steps {
		if st.Consume == 0 && st.Produce == 0 {
			errs = append(errs, fmt.Errorf("%w: step %q has neither side", ErrUnknownPhase, st.Name))
		}
		if (st.Consume == 0 && st.Middleware != nil) || (st.Produce == 0 && st.Decorator != nil) {
			errs = append(errs, fmt.Errorf("%w: step %q has a side without its phase", ErrUnknownPhase, st.Name))
		}
		if st.Consume != 0 {
			errs = append(errs, appendEntry(s.consume[:], "consume", st.Consume, st.Name, st.Middleware, st.Middleware == nil))
		}
		if st.Produce != 0 {
			errs = append(errs, appendEntry(s.produce[:], "produce", st.Produce, st.Name, st.Decorator, st.Decorator == nil))
		}
	}
	if err := errors.Join(errs...); err != nil {
		s.consume, s.produce = consume, produce
		return err
	}
	return nil
}

// clone copies the entries, for a rollback.
func (s *Stack) clone() (c [ConsumeRetry + 1][]named[message.HandlerMiddleware], p [ProduceMetrics + 1][]named[message.PublisherDecorator]) {
	for i := range s.consume {
		c[i] = slices.Clone(s.consume[i])
	}
	for i := range s.produce {
		p[i] = slices.Clone(s.produce[i])
	}
	return c, p
}
