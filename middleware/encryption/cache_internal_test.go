package encryption

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The caches hold at most their number of entries, however many keys pass
// through them, and keep the most recently used ones.
func TestCachesHoldAtMostMaxEntries(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	dk := newKeyCache[*dataKey](2, time.Hour, clock)
	kc := newKeyCache[keys](2, time.Minute, clock)
	for i := range 5 {
		name := fmt.Sprintf("k%d", i)
		created := now.Add(time.Duration(i) * time.Second)
		dk.put(name, &dataKey{created: created}, created)
		kc.put(name, keys{}, now)
		assert.Equal(t, min(i+1, 2), dk.len(), "data keys after %d puts", i+1)
		assert.Equal(t, min(i+1, 2), kc.len(), "unwrapped keys after %d puts", i+1)
	}
	for _, name := range []string{"k4", "k3"} {
		_, ok := dk.get(name, now)
		assert.True(t, ok, "data key %s is kept", name)
	}
	_, ok := dk.get("k2", now)
	assert.False(t, ok, "the least recently used data keys are dropped")
	_, ok = kc.get("k2", now)
	assert.False(t, ok, "the least recently used keys are dropped")

	_, ok = kc.get("k4", now.Add(time.Minute))
	assert.False(t, ok, "expired after the TTL")
	assert.Equal(t, 1, kc.len(), "an expired key leaves the cache")
}

// Keys past their lifetime leave the caches though no message comes to
// replace them.
func TestCachesDropExpiredKeysWhileIdle(t *testing.T) {
	dk := newKeyCache[*dataKey](10, 50*time.Millisecond, time.Now)
	kc := newKeyCache[keys](10, 50*time.Millisecond, time.Now)
	dk.put("a", &dataKey{created: time.Now()}, time.Now())
	kc.put("a", keys{}, time.Now())

	assert.Eventually(t, func() bool { return dk.len() == 0 && kc.len() == 0 }, 10*time.Second, 10*time.Millisecond)
}

// A key put while a sweep runs arms the next sweep: it is not left behind.
func TestSweeperArmsForAKeyPutDuringASweep(t *testing.T) {
	var calls atomic.Int32
	inSweep, release := make(chan struct{}), make(chan struct{})
	s := &sweeper{period: time.Millisecond}
	s.sweep = func() int {
		if calls.Add(1) == 1 {
			close(inSweep)
			<-release
		}
		return 0 // the put below landed after this sweep counted
	}
	s.arm()
	<-inSweep

	s.arm() // a put during the sweep
	close(release)

	assert.Eventually(t, func() bool { return calls.Load() >= 2 }, 10*time.Second, time.Millisecond)
}
