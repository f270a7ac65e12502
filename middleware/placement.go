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
//
// Every Insert puts its entry right next to the anchor. Of several entries
// inserted Before one anchor, the first inserted runs first; of several
// inserted After it, the last inserted runs first, right after the anchor.
// To run entries after an anchor in the order they are inserted, insert
// each one After the entry inserted before it.
func (s *Stack) Insert(anchor string, place Place, name string, m message.HandlerMiddleware) error {
	return s.locked(func() error {
		return insertEntry[ConsumePhase](s.consume[:], "consume", anchor, place, name, m, m == nil)
	})
}

// InsertDecorator adds d to the produce side, in the phase of the entry
// named anchor, just before (a message passes it first) or after it. It fails,
// and orders several entries inserted at one anchor, like Insert.
func (s *Stack) InsertDecorator(anchor string, place Place, name string, d message.PublisherDecorator) error {
	return s.locked(func() error {
		return insertEntry[ProducePhase](s.produce[:], "produce", anchor, place, name, d, d == nil)
	})
}

// insertEntry inserts f under name next to the entry named anchor, in the
// phase of one side that holds it.
func insertEntry[P phaseOf, F any](phases [][]named[F], side, anchor string, place Place, name string, f F, isNil bool) error {
	if err := checkInsert(place, name, isNil); err != nil {
		return err
	}
	phase, i, err := locate(phases, anchor)
	if err != nil {
		return err
	}
	if err := checkUnique(phases[phase], side, P(phase), name); err != nil {
		return err
	}
	phases[phase] = slices.Insert(phases[phase], at(i, place), named[F]{name: name, f: f})
	return nil
}

// locate finds the one entry named anchor across phases.
func locate[F any](phases [][]named[F], anchor string) (phase, index int, err error) {
	found := 0
	for p, entries := range phases {
		for i, e := range entries {
			if e.name == anchor {
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
