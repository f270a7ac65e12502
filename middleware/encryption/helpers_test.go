package encryption_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/clocktest"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
	"github.com/sourceflow-go/sourceflow/middleware/encryption/encryptiontest"
)

const (
	testAlias = "alias/orders"
	testDest  = "orders"
	testType  = "orders.CreateOrder"
)

// fixture is a fake KMS with one key behind testAlias, and an Encrypter and
// Decrypter on it whose clock moves only when the test moves it; a wait on
// that clock fires at once.
type fixture struct {
	kms   *encryptiontest.KMS
	keyID string
	enc   *encryption.Encrypter
	dec   *encryption.Decrypter
	clock *clocktest.Manual
}

func newFixture(t *testing.T, ecfg encryption.EncrypterConfig, dcfg encryption.DecrypterConfig) *fixture {
	t.Helper()
	f := &fixture{kms: encryptiontest.New(), clock: clocktest.NewStepping(time.Unix(1_700_000_000, 0))}
	f.keyID = f.kms.CreateKey()
	f.kms.SetAlias(testAlias, f.keyID)
	if ecfg.KeyID == "" {
		ecfg.KeyID = testAlias
	}
	ecfg.Clock, dcfg.Clock = f.clock, f.clock
	fastRetry(&ecfg.Retry)
	fastRetry(&dcfg.Retry)
	var err error
	f.enc, err = encryption.NewEncrypter(f.kms, ecfg)
	require.NoError(t, err)
	f.dec, err = encryption.NewDecrypter(f.kms, dcfg)
	require.NoError(t, err)
	return f
}

// newDecrypter returns another Decrypter (with a cold cache) on f's KMS.
func (f *fixture) newDecrypter(t *testing.T, cfg encryption.DecrypterConfig) *encryption.Decrypter {
	t.Helper()
	cfg.Clock = f.clock
	fastRetry(&cfg.Retry)
	d, err := encryption.NewDecrypter(f.kms, cfg)
	require.NoError(t, err)
	return d
}

func fastRetry(c *sourceflow.RetryPolicy) {
	if c.InitialInterval == 0 {
		c.InitialInterval, c.MaxInterval = time.Microsecond, time.Millisecond
	}
}

func newMsg(typ string, payload []byte) *message.Message {
	m := message.NewMessage(watermill.NewUUID(), payload)
	if typ != "" {
		m.Metadata.Set(sourceflow.MetaType, typ)
	}
	m.Metadata.Set(sourceflow.MetaMessageID, "m-1")
	return m
}

// encrypt encrypts a fresh message of testType for testDest.
func (f *fixture) encrypt(t *testing.T, payload []byte) *message.Message {
	t.Helper()
	out, err := f.enc.Encrypt(context.Background(), testDest, newMsg(testType, payload))
	require.NoError(t, err)
	return out
}

// captureLogger records every log line with its fields and error.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) add(msg string, err error, fields watermill.LogFields) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var b strings.Builder
	b.WriteString(msg)
	if err != nil {
		b.WriteString(" err=" + err.Error())
	}
	for k, v := range fields {
		b.WriteString(" " + k + "=")
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(fmtValue(v), "\n", " ")))
	}
	l.lines = append(l.lines, b.String())
}

func fmtValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	default:
		return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(x), "\t", " "), "\r", " "))
	}
}

func (l *captureLogger) Error(msg string, err error, fields watermill.LogFields) {
	l.add(msg, err, fields)
}
func (l *captureLogger) Info(msg string, fields watermill.LogFields)      { l.add(msg, nil, fields) }
func (l *captureLogger) Debug(msg string, fields watermill.LogFields)     { l.add(msg, nil, fields) }
func (l *captureLogger) Trace(msg string, fields watermill.LogFields)     { l.add(msg, nil, fields) }
func (l *captureLogger) With(watermill.LogFields) watermill.LoggerAdapter { return l }

func (l *captureLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// secretForms returns b and the encodings in which it could leak.
func secretForms(b []byte) []string {
	return []string{string(b), hex.EncodeToString(b), base64.StdEncoding.EncodeToString(b), fmt.Sprint(b)}
}

// hasWindow reports whether any len-n window of needle occurs in haystack.
func hasWindow(haystack, needle []byte, n int) bool {
	if len(needle) < n {
		return len(needle) > 0 && strings.Contains(string(haystack), string(needle))
	}
	windows := make(map[string]struct{}, len(haystack))
	for i := 0; i+n <= len(haystack); i++ {
		windows[string(haystack[i:i+n])] = struct{}{}
	}
	for i := 0; i+n <= len(needle); i++ {
		if _, ok := windows[string(needle[i:i+n])]; ok {
			return true
		}
	}
	return false
}

// wire returns everything of m that travels: body and metadata.
func wire(m *message.Message) []byte {
	out := append([]byte(nil), m.Payload...)
	for k, v := range m.Metadata {
		out = append(out, k+"="+v+"\n"...)
	}
	return out
}

// acceptFor is the Accept that lets through what an Encrypter with SignOnly
// signOnly writes.
func acceptFor(signOnly bool) encryption.Accept {
	if signOnly {
		return encryption.AcceptSigned
	}
	return encryption.AcceptEncrypted
}

// newDecrypterOn returns a Decrypter (with a cold cache) on api and f's clock.
func (f *fixture) newDecrypterOn(t *testing.T, api encryption.KMSAPI) *encryption.Decrypter {
	t.Helper()
	cfg := encryption.DecrypterConfig{Clock: f.clock}
	fastRetry(&cfg.Retry)
	d, err := encryption.NewDecrypter(api, cfg)
	require.NoError(t, err)
	return d
}
