package encryption_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

func TestDataKeyCache_Bounds(t *testing.T) {
	tests := []struct {
		name    string
		cfg     encryption.EncrypterConfig
		payload int
		advance time.Duration
		wantGDK int
	}{
		{"defaults: one key for all", encryption.EncrypterConfig{}, 100, 0, 1},
		{"message bound", encryption.EncrypterConfig{DataKeyMaxMessages: 3}, 100, 0, 4},
		{"byte bound", encryption.EncrypterConfig{DataKeyMaxBytes: 250}, 100, 0, 4},
		{"byte bound below one message", encryption.EncrypterConfig{DataKeyMaxBytes: 10}, 100, 0, 10},
		{"age bound", encryption.EncrypterConfig{DataKeyMaxAge: time.Minute}, 100, 25 * time.Second, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.cfg, encryption.DecrypterConfig{})
			var msgs []*message.Message
			for range 10 {
				msgs = append(msgs, f.encrypt(t, make([]byte, tt.payload)))
				f.clock.Advance(tt.advance)
			}
			assert.Equal(t, tt.wantGDK, f.kms.Calls().GenerateDataKey)
			st := f.enc.Stats()
			assert.Equal(t, int64(tt.wantGDK), st.GenerateDataKeyCalls)
			assert.Equal(t, int64(10), st.CacheHits+st.CacheMisses)
			for _, m := range msgs {
				require.NoError(t, f.dec.Decrypt(context.Background(), testDest, m))
			}
			assert.Equal(t, tt.wantGDK, f.kms.Calls().Decrypt, "one unwrap per data key")
		})
	}
}

func TestDataKeyCache_KeyedByContext(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	for range 3 {
		for _, typ := range []string{"a.A", "a.B"} {
			for _, dest := range []string{"q1", "q2"} {
				_, err := f.enc.Encrypt(context.Background(), dest, newMsg(typ, []byte("x")))
				require.NoError(t, err)
			}
		}
	}
	assert.Equal(t, 4, f.kms.Calls().GenerateDataKey, "one data key per (type, destination)")
}

func TestDataKeyCache_EntryBound(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{DataKeyCacheEntries: 2}, encryption.DecrypterConfig{})
	for range 2 {
		for _, dest := range []string{"q1", "q2", "q3"} {
			_, err := f.enc.Encrypt(context.Background(), dest, newMsg(testType, []byte("x")))
			require.NoError(t, err)
			f.clock.Advance(time.Millisecond)
		}
	}
	assert.Equal(t, 6, f.kms.Calls().GenerateDataKey, "three contexts cycling through two entries always miss")
}

// A full data-key cache drops the key used least recently, not the oldest:
// a key in use stays while an idle one goes.
func TestDataKeyCache_KeepsTheKeysInUse(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{DataKeyCacheEntries: 2}, encryption.DecrypterConfig{})
	for _, dest := range []string{"q1", "q2", "q1", "q3", "q1"} {
		_, err := f.enc.Encrypt(context.Background(), dest, newMsg(testType, []byte("x")))
		require.NoError(t, err)
		f.clock.Advance(time.Millisecond)
	}
	assert.Equal(t, 3, f.kms.Calls().GenerateDataKey, "q3 evicted the idle q2, not q1 in use")
}

func TestKeyCache_LRUAndTTL(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	msgsFor := func(types ...string) []*message.Message {
		var out []*message.Message
		for _, typ := range types {
			m, err := f.enc.Encrypt(context.Background(), testDest, newMsg(typ, []byte("x")))
			require.NoError(t, err)
			out = append(out, m)
		}
		return out
	}
	dec := f.newDecrypter(t, encryption.DecrypterConfig{KeyCacheEntries: 2, KeyCacheTTL: time.Minute})
	decryptAll := func(msgs []*message.Message) {
		for _, m := range msgs {
			require.NoError(t, dec.Decrypt(context.Background(), testDest, m))
		}
	}
	decryptAll(msgsFor("t.A", "t.B", "t.A", "t.B"))
	assert.Equal(t, int64(2), dec.Stats().DecryptCalls, "two keys fit")
	decryptAll(msgsFor("t.C", "t.A"))
	assert.Equal(t, int64(4), dec.Stats().DecryptCalls, "C evicted the least recently used A")
	decryptAll(msgsFor("t.C"))
	assert.Equal(t, int64(4), dec.Stats().DecryptCalls, "C is cached")
	f.clock.Advance(time.Minute)
	decryptAll(msgsFor("t.C"))
	assert.Equal(t, int64(5), dec.Stats().DecryptCalls, "expired after the TTL")
}

func TestSingleFlight(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{}, encryption.DecrypterConfig{})
	f.kms.SetLatency(20 * time.Millisecond)
	const n = 50
	msgs := make([]*message.Message, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			m, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, fmt.Appendf(nil, "m%d", i)))
			assert.NoError(t, err)
			msgs[i] = m
		})
	}
	wg.Wait()
	assert.Equal(t, 1, f.kms.Calls().GenerateDataKey, "%d concurrent misses, one KMS call", n)
	for i := range n {
		wg.Go(func() { assert.NoError(t, f.dec.Decrypt(context.Background(), testDest, msgs[i])) })
	}
	wg.Wait()
	assert.Equal(t, 1, f.kms.Calls().Decrypt)
	assert.Equal(t, int64(n), f.dec.Stats().CacheHits+f.dec.Stats().CacheMisses)
}

// TestConcurrentRotation encrypts from many goroutines while data keys
// retire every few messages and decrypts everything: a key retired while in
// use must still produce decryptable messages.
func TestConcurrentRotation(t *testing.T) {
	f := newFixture(t, encryption.EncrypterConfig{DataKeyMaxMessages: 3}, encryption.DecrypterConfig{KeyCacheEntries: 2})
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		perData = map[string]int{} // messages per wrapped data key
	)
	for w := range 8 {
		wg.Go(func() {
			for i := range 50 {
				want := fmt.Sprintf("worker %d message %d", w, i)
				m, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, []byte(want)))
				if !assert.NoError(t, err) {
					return
				}
				h, _, err := encryption.ParseHeader(m.Metadata.Get(sourceflow.MetaEncryption))
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				perData[string(h.WrappedKey)]++
				mu.Unlock()
				if assert.NoError(t, f.dec.Decrypt(context.Background(), testDest, m)) {
					assert.Equal(t, want, string(m.Payload))
				}
			}
		})
	}
	wg.Wait()
	assert.GreaterOrEqual(t, f.kms.Calls().GenerateDataKey, 400/3)
	for _, n := range perData {
		assert.LessOrEqual(t, n, 3, "no data key encrypts more than DataKeyMaxMessages messages")
	}
}
