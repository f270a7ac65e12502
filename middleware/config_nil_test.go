package middleware_test

import (
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware"
)

// A logger or clock variable declared but never assigned is refused by the
// constructor, naming the field, instead of panicking on the first retry or
// state change.
func TestConfigsRefuseTypedNils(t *testing.T) {
	var logger *watermill.StdLoggerAdapter
	var clock *clocktest.Manual
	_, err := middleware.NewRetry(middleware.RetryConfig{Clock: clock, Logger: logger})
	require.Error(t, err)
	assert.ErrorContains(t, err, "middleware: RetryConfig.Clock: nil *clocktest.Manual, must be non-nil or left unset")
	assert.ErrorContains(t, err, "middleware: RetryConfig.Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")

	_, err = middleware.NewCircuitBreaker(middleware.CircuitBreakerConfig{Logger: logger})
	assert.ErrorContains(t, err, "middleware: CircuitBreakerConfig.Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset")
}
