package cqrs

import (
	"fmt"
)

// replayable returns the stored commands cmds of entityID that a replay
// runs, each under the name it was stored with (an alias, Aliases, is its
// type's), leaving out those of a type declared retired (RetireType), and how
// many it left out. A command of a type neither registered nor retired is
// refused with ErrUnknownType before anything runs: no handler here can
// take it, and a replay that skipped it would store a saga state without
// its effect over one that has it.
func (s *Service) replayable(entityID string, cmds []StoredCommand) ([]StoredCommand, int, error) {
	out := make([]StoredCommand, 0, len(cmds))
	for _, c := range cmds {
		name := c.Envelope.Type
		if _, ok := s.types.ofName(name); ok {
			// A command stored under an alias keeps it: the dispatcher
			// replays it as the type's, upcast from the alias's shape.
			out = append(out, c)
			continue
		}
		if !s.types.isRetired(name) {
			return nil, 0, fmt.Errorf("cqrs: replay of %s refused: its stored command %d is of type %s, which this service does not register (%w): "+
				"register the type again with its handler to replay its effect, or declare it retired (cqrs.RetireType) to replay the entity without it",
				quotedID(entityID), c.Envelope.Sequence, quotedID(name), ErrUnknownType)
		}
	}
	return out, len(cmds) - len(out), nil
}
