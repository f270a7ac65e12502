package middleware

import (
	"fmt"
	"slices"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Place says where Insert puts an entry relative to a named one.
type Place int

const (
	// Before puts the new entry just outside the named one: a message passes
	// it first.
	Before Place = iota + 1
	// After puts the new entry just inside the named one.
	After
)

// Insert adds m to the consume side, in the phase of the entry named anchor,
// just before or after it; so a cross-cutting piece such as Correlation gets
// its place next to the middleware it serves (before the tracer) without a
// phase of its own. It fails with ErrUnknownName when no consume entry is
// named anchor, ErrAmbiguousName when entries of several phases are, and like
// Use otherwise; a failed Insert leaves the Stack unchanged.
func (s *Stack) Insert(anchor string, place Place, name string, m message.HandlerMiddleware) error {
	if err := checkInsert(place, name, m == nil); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	phase, i, err := locate(s.consume[:], anchor, func(e namedMiddleware) string { return e.name })
	if err != nil {
		return err
	}
	if slices.ContainsFunc(s.consume[phase], func(e namedMiddleware) bool { return e.name == name }) {
		return fmt.Errorf("%w: consume phase %s already has %q", ErrDuplicateName, ConsumePhase(phase), name)
	}
	s.consume[phase] = slices.Insert(s.consume[phase], at(i, place), namedMiddleware{name: name, m: m})
	return nil
}

// InsertDecorator adds d to the produce side, in the phase of the entry
// named anchor, just before (a message passes it first) or after it. It fails
// like Insert.
func (s *Stack) InsertDecorator(anchor string, place Place, name string, d message.PublisherDecorator) error {
	if err := checkInsert(place, name, d == nil); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	phase, i, err := locate(s.produce[:], anchor, func(e namedDecorator) string { return e.name })
	if err != nil {
		return err
	}
	if slices.ContainsFunc(s.produce[phase], func(e namedDecorator) bool { return e.name == name }) {
		return fmt.Errorf("%w: produce phase %s already has %q", ErrDuplicateName, ProducePhase(phase), name)
	}
	s.produce[phase] = slices.Insert(s.produce[phase], at(i, place), namedDecorator{name: name, d: d})
	return nil
}

// locate finds the one entry named anchor across phases.
func locate[E any](phases [][]E, anchor string, name func(E) string) (phase, index int, err error) {
	found := 0
	for p, entries := range phases {
		for i, e := range entries {
			if name(e) == anchor {
				phase, index = p, i
				found++
			}
		}
	}
	switch found {
	case 0:
		return 0, 0, fmt.Errorf("%w: %q", ErrUnknownName, anchor)
	case 1:
		return phase, index, nil
	}
	return 0, 0, fmt.Errorf("%w: %q is registered in %d phases", ErrAmbiguousName, anchor, found)
}

func checkInsert(place Place, name string, isNil bool) error {
	if place != Before && place != After {
		return fmt.Errorf("middleware: place %d is neither Before nor After (name %q)", int(place), name)
	}
	return checkEntry("insert", name, isNil)
}

func at(i int, place Place) int {
	if place == After {
		return i + 1
	}
	return i
}
