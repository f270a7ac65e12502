package cqrstest

import (
	"testing"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
)

// commandSetup is what most scenarios start from: a command destination,
// service "a" whose saga handles suiteCmd from it, and a sender that sends
// suiteCmd there.
type commandSetup struct {
	dest string
	// listener is the spec of service "a"; instances are the ones started.
	listener  *serviceSpec
	instances []*cqrs.Service
	sender    *cqrs.Service
	// senderTransport is the transport the sender was built on.
	senderTransport cqrs.Transport
}

// listenAndSend sets up a command destination (one claiming per-entity
// order when ordered), starts n instances of service "a" handling suiteCmd
// from it with handle (extra registers more on them), then a sender of
// suiteCmd to it.
func (r *transportRun) listenAndSend(t *testing.T, ordered bool, n int, handle cqrs.CommandHandler[suiteCmd, appliedState],
	extra ...func(*cqrs.Service) error) commandSetup {
	t.Helper()
	dest := r.h.Destination(t, sourceflow.KindCommand, ordered)
	a := worker(r.service("a"), suiteCommand, dest, nil, handle, extra...)
	instances := r.startAll(t, a, n)
	sender, tr := r.start(t, newSpec(r.service("sender"), nil, register[suiteCmd](suiteCommand, dest)), 0)
	return commandSetup{dest: dest, listener: a, instances: instances, sender: sender, senderTransport: tr}
}
