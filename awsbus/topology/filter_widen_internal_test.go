package topology

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWidenFilter(t *testing.T) {
	ab := FilterPolicy([]string{"a", "b"})
	for _, tt := range []struct {
		name, actual string
		types        []string
		want         string
		change       bool
	}{
		{"no filter yet", "", []string{"b", "a"}, FilterPolicy([]string{"b", "a"}), true},
		{"an empty filter", "{}", []string{"a"}, FilterPolicy([]string{"a"}), true},
		{"already lets them through", ab, []string{"a"}, ab, false},
		{"the same types", ab, []string{"b", "a"}, ab, false},
		{"a new type is added, none removed", FilterPolicy([]string{"b"}), []string{"a", "c"}, FilterPolicy([]string{"a", "b", "c"}), true},
		{"a plan without types removes the filter", ab, nil, "{}", true},
		{"nothing to remove", "", nil, "{}", false},
		{"another shape is replaced", `{"sf_type":[{"prefix":"orders."}]}`, []string{"a"}, FilterPolicy([]string{"a"}), true},
		{"another key is replaced", `{"store":["x"]}`, []string{"a"}, FilterPolicy([]string{"a"}), true},
		{"another shape, no types", `{"store":["x"]}`, nil, "{}", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, change, err := widenFilter(tt.actual, tt.types)
			require.NoError(t, err)
			assert.Equal(t, tt.change, change)
			if change {
				assert.JSONEq(t, tt.want, got)
			}
		})
	}
}

// Past SNS's 150 values the filter does not change, and the error says
// what to do: the union would be more than SNS takes.
func TestWidenFilterPastSNSsLimit(t *testing.T) {
	var current []string
	for i := range maxFilterTypes {
		current = append(current, fmt.Sprintf("t%03d", i))
	}
	_, change, err := widenFilter(FilterPolicy(current), []string{"new"})
	assert.False(t, change)
	var overflow *filterOverflowError
	require.ErrorAs(t, err, &overflow)
	assert.Equal(t, maxFilterTypes+1, overflow.Types)
	assert.Contains(t, err.Error(), "remove from it the types no version of the service handles any more")

	_, change, err = widenFilter(FilterPolicy(current), current[:3])
	require.NoError(t, err, "types already there")
	assert.False(t, change)
}
