package cqrs

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

// wrap drops the "cqrs: " that starts the text of the error it wraps, and
// nothing else: the lines after the first, whether this package's or
// another's, keep their text whole.
func TestWrapDropsOnlyTheLeadingPrefix(t *testing.T) {
	foreign := errors.New("bind failed on 2 queues:\ncqrs: orders: denied\ncqrs: payments: denied")

	err := wrap(foreign, "cqrs: bind transport of %q", "svc")

	assert.Equal(t, `cqrs: bind transport of "svc": bind failed on 2 queues:`+"\n"+
		"cqrs: orders: denied\ncqrs: payments: denied", err.Error())
	assert.ErrorIs(t, err, foreign)
	assert.Equal(t, `cqrs: start "svc": publisher for "x": transport lacks a capability`,
		wrap(wrap(ErrCapability, "publisher for %q", "x"), "cqrs: start %q", "svc").Error())
}
