package awsbus

import (
	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// File returns the topology file of the service whose registrations are b
// (cqrs.Service.Binding) on this transport: its routes and listeners with
// the queue, dead-letter and encryption settings of the Config. The
// operations CLI plans, applies, validates and exports from it, so the
// file and the running code cannot drift. It makes no AWS call and needs
// no Bind, so a program can write its file, and the file be deployed,
// before its first start.
func (t *Transport) File(b sourceflow.Binding) (topology.File, error) {
	return topology.NewFile(b, t.cfg.planOptions())
}
