package sourceflow

// Kind says whether a message type is a command or an event.
type Kind int

const (
	// KindCommand is a command: sent to one destination, handled by one saga.
	KindCommand Kind = iota + 1
	// KindEvent is an event: published to a destination, fanned out to every
	// subscriber.
	KindEvent
)

// String returns "command" or "event".
func (k Kind) String() string {
	switch k {
	case KindCommand:
		return "command"
	case KindEvent:
		return "event"
	}
	return "unknown"
}

// Route maps one registered logical message type to the destination that
// carries it.
type Route struct {
	// Type is the registered logical type name.
	Type string
	// Kind is KindCommand or KindEvent.
	Kind Kind
	// Destination is the name of the destination (a queue or topic name on
	// AWS, a gochannel topic in process).
	Destination string
}

// Listener is one destination a service consumes, with the types it handles
// there.
type Listener struct {
	// Destination is the destination name.
	Destination string
	// Kind is the kind of the messages on it.
	Kind Kind
	// Types are the logical types that have a handler in this service.
	Types []string
}

// Binding is the plain description of a service's routing that the model
// hands to a transport before it starts: every route the service knows and
// every destination it listens to. A transport uses it to validate, provision
// or resolve its resources; it is data only and is never modified.
type Binding struct {
	// Service is the service name. Transports use it to name per-service
	// resources (such as the event queue a service subscribes through).
	Service string
	// Routes lists every registered type and its destination.
	Routes []Route
	// Listeners lists the destinations this service consumes.
	Listeners []Listener
}

// RouteOf returns the route of logical type name t.
func (b Binding) RouteOf(t string) (Route, bool) {
	for _, r := range b.Routes {
		if r.Type == t {
			return r, true
		}
	}
	return Route{}, false
}
