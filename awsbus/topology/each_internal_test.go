package topology

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestEachMapsInOrder(t *testing.T) {
	topics := []Topic{{Name: "b"}, {Name: "a"}, {Name: "b"}}
	assert.Equal(t, []string{"b", "a", "b"}, each(topics, func(t Topic) string { return t.Name }))
}

func TestEachOfNoneIsEmptyNotNil(t *testing.T) {
	got := each([]Topic(nil), func(t Topic) string { return t.Name })
	assert.NotNil(t, got)
	assert.Empty(t, got)
}
