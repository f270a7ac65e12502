package backend_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow/internal/backend"
)

func TestMark_AddsTheMarkToAnErrorOfTheTarget(t *testing.T) {
	target := errors.New("table missing")
	err := fmt.Errorf("check: %w", target)

	marked := backend.Mark(err, target, backend.ErrMissingTable)

	assert.ErrorIs(t, marked, backend.ErrMissingTable)
	assert.ErrorIs(t, marked, target)
	assert.Equal(t, err.Error(), marked.Error())
}

func TestMark_LeavesOtherErrorsAsTheyAre(t *testing.T) {
	other := errors.New("refused")
	assert.Same(t, other, backend.Mark(other, errors.New("table missing"), backend.ErrMissingTable))
	assert.NoError(t, backend.Mark(nil, other, backend.ErrMissingTable))
}
