package cqrs

import (
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// memoryStateWarning is the message of the warning Start logs when the
// service keeps state in memory while its transport carries messages
// between processes.
const memoryStateWarning = "cqrs: the service keeps state in memory, but its transport carries messages between processes: " +
	"that state is lost when the process ends and is not shared with the service's other instances. " +
	"Build the service with sqlbackend's or dynamobackend's Backend.NewService " +
	"(or call Backend.Configure before cqrs.NewService, which copies its ServiceConfig), " +
	"or set the stores named here; a service that keeps no state may ignore this"

// inProcessTransport is implemented by the transports that carry messages
// only within the process.
type inProcessTransport interface {
	inProcess() bool
}

func (*ChannelTransport) inProcess() bool { return true }

// inProcess reports whether every transport of t carries messages only
// within the process.
func (t *HybridTransport) inProcess() bool {
	for _, inner := range t.transports {
		if !inProcess(inner) {
			return false
		}
	}
	return true
}

// inProcess reports whether t publishes to a gochannel Pub/Sub, which
// delivers within the process only.
func (t *PubSubTransport) inProcess() bool {
	_, ok := t.cfg.Publisher.(*gochannel.GoChannel)
	return ok
}

// inProcess reports whether t is known to carry messages only within the
// process; a transport of another package (awsbus, sqlbus, an outbox) is
// taken to cross processes.
func inProcess(t Transport) bool {
	p, ok := t.(inProcessTransport)
	return ok && p.inProcess()
}

// warnMemoryState logs memoryStateWarning, naming the memory stores that
// keep the service's state, when its transport crosses processes.
func (s *Service) warnMemoryState(b sourceflow.Binding) {
	if inProcess(s.cfg.Transport) {
		return
	}
	stores := s.memoryState(b)
	if len(stores) == 0 {
		return
	}
	slogdefault.Warn(s.cfg.Logger, memoryStateWarning, watermill.LogFields{
		"service":   s.cfg.Name,
		"stores":    strings.Join(stores, ", "),
		"transport": fmt.Sprintf("%T", s.cfg.Transport),
	})
}

// memoryState names the ServiceConfig fields holding a memory store the
// service uses: the CommandStore when it routes a command, the EntityStore
// when it has a saga, the ViewStore when it has a view.
func (s *Service) memoryState(b sourceflow.Binding) []string {
	var sends, sagas, views bool
	for _, r := range b.Routes {
		sends = sends || r.Kind == sourceflow.KindCommand
	}
	for k := range s.owners {
		sagas = sagas || k.role == "saga"
		views = views || k.role == "view"
	}
	var names []string
	if _, mem := s.cfg.CommandStore.(*MemoryCommandStore); mem && sends {
		names = append(names, "ServiceConfig.CommandStore")
	}
	if _, mem := s.cfg.EntityStore.(*MemoryStore); mem && sagas {
		names = append(names, "ServiceConfig.EntityStore")
	}
	if _, mem := s.cfg.ViewStore.(*MemoryStore); mem && views {
		names = append(names, "ServiceConfig.ViewStore")
	}
	return names
}
