package circuit_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/circuit"
)

// halfOpenRefusal is an error type that says it is a half-open refusal.
type halfOpenRefusal struct{}

func (halfOpenRefusal) Error() string        { return "refused while the probe is in flight" }
func (halfOpenRefusal) Is(target error) bool { return target == sourceflow.ErrCircuitHalfOpen }

func TestStaysOpen(t *testing.T) {
	open := fmt.Errorf("%w: destination %q: publishing suspended", sourceflow.ErrCircuitOpen, "orders")
	halfOpen := fmt.Errorf("%w: destination %q: its probe publish has not returned", sourceflow.ErrCircuitHalfOpen, "payments")
	other := errors.New("endpoint down")
	for name, tt := range map[string]struct {
		err  error
		want bool
	}{
		"nil":                             {nil, false},
		"no circuit":                      {other, false},
		"open":                            {open, true},
		"the sentinel":                    {sourceflow.ErrCircuitOpen, true},
		"open, wrapped":                   {fmt.Errorf("handler: %w", open), true},
		"half-open":                       {halfOpen, false},
		"half-open, wrapped":              {fmt.Errorf("handler: %w", halfOpen), false},
		"half-open by its Is method":      {fmt.Errorf("handler: %w", halfOpenRefusal{}), false},
		"half-open joined with another":   {errors.Join(halfOpen, other), false},
		"two half-open":                   {errors.Join(halfOpen, halfOpen), false},
		"open joined with half-open":      {errors.Join(halfOpen, open), true},
		"open and half-open in one wrap":  {fmt.Errorf("a: %w, b: %w", halfOpen, open), true},
		"open, deep in a join":            {errors.Join(other, fmt.Errorf("tx: %w", errors.Join(halfOpen, open))), true},
		"open joined with another":        {errors.Join(other, open), true},
		"half-open, deep in nested joins": {errors.Join(other, fmt.Errorf("tx: %w", errors.Join(halfOpen, other))), false},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tt.want, circuit.StaysOpen(tt.err))
		})
	}
}
