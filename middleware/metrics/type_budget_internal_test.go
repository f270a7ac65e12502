package metrics

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ownSets counts the types with series of their own, and those on trial.
func (c *attrCache) ownSets() (own, trial int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, s := range c.sets {
		if !s.other {
			own++
		}
		if s.trial.Load() {
			trial++
		}
	}
	return own, trial
}

// Junk types on many destinations take at most maxTrialKeys trial slots in
// all; real types, admitted on success, still find maxTypedKeys less those
// slots, and no more.
func TestTrialSlotsAreBoundedOnAllDestinations(t *testing.T) {
	var c attrCache
	for d := range 20 {
		for i := range 50 {
			c.lookup(fmt.Sprintf("junk.T%d", i), fmt.Sprintf("dest-%d", d), "")
		}
	}
	own, trial := c.ownSets()
	assert.Equal(t, maxTrialKeys, own)
	assert.Equal(t, maxTrialKeys, trial)

	for d := range 20 {
		for i := range 50 {
			typ, dest := fmt.Sprintf("real.T%d", i), fmt.Sprintf("dest-%d", d)
			c.succeeded(typ, dest, "", c.lookup(typ, dest, ""))
		}
	}
	own, trial = c.ownSets()
	assert.Equal(t, maxTypedKeys, own)
	assert.Equal(t, maxTrialKeys, trial)
	s := c.lookup("real.T0", "dest-0", "")
	assert.False(t, s.other, "a real type admitted on success keeps its series")
	assert.True(t, c.lookup("real.T49", "dest-19", "").other, "past maxTypedKeys a type is other")
}
