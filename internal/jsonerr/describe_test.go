package jsonerr_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"strings"
	"testing"
	"time"

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

// A value a type's own decoder refuses (time.Time's, big.Int's,
// netip.Addr's, a ",string" field's, an unknown field's name) is quoted in
// that decoder's error: the description keeps the words and leaves the
// quoted value out.
func TestDescribeLeavesOutTheValueAnUnmarshalerQuotes(t *testing.T) {
	for raw, c := range map[string]struct {
		into any
		want string
	}{
		`{"at":"4111111111111111"}`: {new(struct {
			At time.Time `json:"at"`
		}), `parsing time "…" as "…": cannot parse "…" as "…"`},
		`{"n":"4111111111111111"}`: {new(struct {
			N *big.Int `json:"n"`
		}), `math/big: cannot unmarshal "…" into a *big.Int`},
		`{"ip":"4111111111111111"}`: {new(struct {
			IP netip.Addr `json:"ip"`
		}), `ParseAddr("…"): unable to parse IP`},
		`{"s":"4111111111111111"}`: {new(struct {
			S string `json:"s,string"`
		}), `json: invalid use of ,string struct tag, trying to unmarshal "…" into string`},
		`{"s":"a \"quoted\" 4111"}`: {new(struct {
			S int `json:"s,string"`
		}), `json: invalid use of ,string struct tag, trying to unmarshal "…" into int`},
		`{"4111111111111111":1}`: {new(struct{}), `json: unknown field "…"`},
	} {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		err := dec.Decode(c.into)
		require.Error(t, err, raw)

		got := jsonerr.Describe(err)

		assert.Equal(t, c.want, got, raw)
		assert.NotContains(t, got, "4111", raw)
	}
	assert.Equal(t, `bad "…`, jsonerr.Describe(errors.New(`bad "4111 \"unterminated`)))
}
