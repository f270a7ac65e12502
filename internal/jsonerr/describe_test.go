package jsonerr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/internal/jsonerr"
)

// A value of the wrong type is named by its kind, with the field and the Go
// type it was meant for, never by its value; other errors keep their text.
func TestDescribeLeavesTheSendersValuesOut(t *testing.T) {
	type order struct {
		Amount int `json:"amount"`
	}
	for raw, want := range map[string]string{
		`{"amount":4111111111111111.5}`: "json: cannot unmarshal number into field amount of type int",
		`{"amount":"4111 1111"}`:        "json: cannot unmarshal string into field amount of type int",
		`["4111"]`:                      "json: cannot unmarshal array into a value of type jsonerr_test.order",
		`{"amount":`:                    "unexpected end of JSON input",
	} {
		var o order
		err := json.Unmarshal([]byte(raw), &o)
		require.Error(t, err, raw)

		got := jsonerr.Describe(err)

		assert.Equal(t, want, got, raw)
		assert.NotContains(t, got, "4111", raw)
	}
	var env map[string]string
	err := json.Unmarshal([]byte(`{"sf_seq":4111111111111111}`), &env)
	assert.Equal(t, "json: cannot unmarshal number into a value of type string", jsonerr.Describe(err))
	wrapped := fmt.Errorf("decode: %w", errors.New("not json"))
	assert.Equal(t, "decode: not json", jsonerr.Describe(wrapped))
}
