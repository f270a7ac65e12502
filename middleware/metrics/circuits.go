package metrics

import (
	"go.opentelemetry.io/otel/metric"

	"github.com/sourceflow-go/sourceflow"
)

// CircuitSource is sourceflow.CircuitSource: it reports the state of every
// destination's publish circuit breaker. middleware.CircuitBreaker
// implements it; sourceflow.CircuitsFunc adapts a function.
type CircuitSource = sourceflow.CircuitSource

// observeCircuits reports every destination's circuit state. When several
// sources report one destination, the most severe state wins (open over
// half-open over closed).
func (o *observable) observeCircuits(obs metric.Observer) {
	worst := map[string]sourceflow.CircuitState{}
	var order []string
	for _, src := range o.circuits {
		for _, c := range src.Circuits() {
			prev, seen := worst[c.Destination]
			if !seen {
				order = append(order, c.Destination)
			}
			if !seen || c.State > prev {
				worst[c.Destination] = c.State
			}
		}
	}
	for _, dest := range order {
		obs.ObserveInt64(o.circuitState, int64(worst[dest]), metric.WithAttributes(AttrDestination.String(dest)))
	}
}
