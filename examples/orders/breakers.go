package main

import (
	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// breakers are the publish circuit breakers of the two services: each
// service's produce pipeline ends with its own, one circuit per
// destination, with the defaults (open after 5 failed publishes in a row,
// one probe after 10 s).
type breakers struct{ orders, payments *middleware.CircuitBreaker }

func newBreakers(logger watermill.LoggerAdapter) (breakers, error) {
	var b breakers
	var err error
	for _, s := range []struct {
		name string
		dst  **middleware.CircuitBreaker
	}{{"orders", &b.orders}, {"payments", &b.payments}} {
		*s.dst, err = middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{
			Logger: logger.With(watermill.LogFields{"service": s.name}),
		})
		if err != nil {
			return breakers{}, err
		}
	}
	return b, nil
}

// circuits returns each service's circuits for a health report. An open
// circuit does not fail the report: the instance works and recovers by
// itself once the destination does (awsbus reports it as degraded).
func (b breakers) circuits() map[string][]sourceflow.Circuit {
	return map[string][]sourceflow.Circuit{"orders": b.orders.Circuits(), "payments": b.payments.Circuits()}
}
