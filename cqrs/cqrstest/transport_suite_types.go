package cqrstest

import (
	"context"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// Message types of the transport suite, registered under these logical
// names.
const (
	suiteCommand = "conformance.Command"
	suiteOther   = "conformance.Other"
	suiteEvent   = "conformance.Event"
	suiteProbe   = "conformance.Probe"
)

// suiteCmd is the command most scenarios send.
type suiteCmd struct {
	N int `json:"n"`
	// Poison makes the handler fail permanently.
	Poison bool `json:"poison,omitempty"`
}

// otherCmd is a command routed to another service.
type otherCmd struct {
	N int `json:"n"`
}

// suiteEvt is the event a saga raises for each command it handles.
type suiteEvt struct {
	Command string `json:"command"`
}

// probeEvt is raised, to a destination nobody listens to, to learn whether
// a service still accepts sends.
type probeEvt struct{}

// appliedState is the saga state of one entity: the ids of the commands
// applied to it, each once, in the order they were applied.
type appliedState struct {
	Applied []string `json:"applied"`
}

// apply records the command in the entity's state. It does not look for
// the command there: the saga applies a redelivered command once, which the
// suite checks (see unapplied).
func apply[C any](_ context.Context, s *appliedState, _ C, env cqrs.Envelope) ([]any, error) {
	s.Applied = append(s.Applied, env.MessageID)
	return nil, nil
}
