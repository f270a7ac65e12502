package encryptiontest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"
)

// Region and Account appear in the ARNs the fake returns.
const (
	Region  = "us-east-1"
	Account = "000000000000"
)

const (
	idLen    = 36 // a key id is a UUID in text form
	nonceLen = 12
)

// Calls counts the requests a KMS received, including failed ones.
type Calls struct {
	GenerateDataKey int
	Decrypt         int
	DescribeKey     int
	GetKeyPolicy    int
	// DecryptWithKeyID counts Decrypt requests that set KeyId.
	DecryptWithKeyID int
}

// KMS is a fake AWS KMS. The zero value is not usable; call New. It is safe
// for concurrent use.
type KMS struct {
	mu           sync.Mutex
	keys         map[string]*key
	aliases      map[string]string
	throttleN    int
	throttleCode string
	calls        Calls
	dataKeys     [][]byte
	latency      time.Duration
}

type key struct {
	id         string
	master     cipher.AEAD
	disabled   bool
	denied     bool
	awsManaged bool
	policy     string
	account    string // of the ARN DescribeKey returns; Account when empty
}

// DefaultKeyPolicy returns the policy KMS gives a key created without one:
// the account's IAM policies decide who may use it.
func DefaultKeyPolicy() string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions",` +
		`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + Account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// New returns a fake KMS without keys.
func New() *KMS {
	return &KMS{keys: make(map[string]*key), aliases: make(map[string]string)}
}

// CreateKey creates an enabled symmetric key and returns its id.
func (k *KMS) CreateKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	block, _ := aes.NewCipher(secret)
	gcm, _ := cipher.NewGCM(block)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[id] = &key{id: id, master: gcm, policy: DefaultKeyPolicy()}
	return id
}

// ARN returns the ARN of a key id.
func ARN(keyID string) string { return "arn:aws:kms:" + Region + ":" + Account + ":key/" + keyID }

// SetAlias points alias (e.g. "alias/orders") at keyID, creating the alias or
// moving it from the key it pointed at before.
func (k *KMS) SetAlias(alias, keyID string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.aliases[alias] = keyID
}

// SetDisabled disables or re-enables a key.
func (k *KMS) SetDisabled(keyID string, disabled bool) {
	k.update(keyID, func(x *key) { x.disabled = disabled })
}

// SetDenied makes every use of a key fail with AccessDeniedException, or
// stops doing so.
func (k *KMS) SetDenied(keyID string, denied bool) {
	k.update(keyID, func(x *key) { x.denied = denied })
}

// SetKeyPolicy replaces the key policy of a key.
func (k *KMS) SetKeyPolicy(keyID, policy string) {
	k.update(keyID, func(x *key) { x.policy = policy })
}

// SetKeyAccount puts a key in another account, as the ARN DescribeKey
// returns for it shows.
func (k *KMS) SetKeyAccount(keyID, account string) {
	k.update(keyID, func(x *key) { x.account = account })
}

// SetAWSManaged makes a key AWS managed (KeyManager "AWS", like
// alias/aws/sqs) or customer managed again.
func (k *KMS) SetAWSManaged(keyID string, awsManaged bool) {
	k.update(keyID, func(x *key) { x.awsManaged = awsManaged })
}

func (k *KMS) update(keyID string, fn func(*key)) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if x, ok := k.keys[keyID]; ok {
		fn(x)
	}
}

// Throttle makes the next n requests fail with an API error of the given
// code ("ThrottlingException" when empty).
func (k *KMS) Throttle(n int, code string) {
	if code == "" {
		code = "ThrottlingException"
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.throttleN, k.throttleCode = n, code
}

// SetLatency makes every request take at least d, so that tests can make
// concurrent requests overlap.
func (k *KMS) SetLatency(d time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.latency = d
}

// begin counts a request, waits the configured latency (without holding the
// lock) and returns an injected failure, if any.
func (k *KMS) begin(counter *int) error {
	k.mu.Lock()
	*counter++
	d := k.latency
	k.mu.Unlock()
	time.Sleep(d)
	k.mu.Lock()
	return k.throttled()
}

// Calls returns the request counters.
func (k *KMS) Calls() Calls {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.calls
}

// DataKeys returns copies of every plaintext data key generated so far, for
// tests that check key bytes never leak.
func (k *KMS) DataKeys() [][]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([][]byte, len(k.dataKeys))
	for i, d := range k.dataKeys {
		out[i] = append([]byte(nil), d...)
	}
	return out
}

// throttled consumes one injected failure; the caller holds mu.
func (k *KMS) throttled() error {
	if k.throttleN <= 0 {
		return nil
	}
	k.throttleN--
	return &smithy.GenericAPIError{Code: k.throttleCode, Message: "rate exceeded", Fault: smithy.FaultServer}
}

// resolve finds a key by id, key ARN, alias name or alias ARN; the caller
// holds mu.
func (k *KMS) resolve(ref *string) (*key, error) {
	if ref == nil || *ref == "" {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "KeyId is required"}
	}
	name := *ref
	if i := strings.Index(name, ":alias/"); strings.HasPrefix(name, "arn:") && i >= 0 {
		name = name[i+1:]
	} else if i := strings.Index(name, ":key/"); strings.HasPrefix(name, "arn:") && i >= 0 {
		name = name[i+len(":key/"):]
	}
	if strings.HasPrefix(name, "alias/") {
		name = k.aliases[name]
	}
	x, ok := k.keys[name]
	if !ok {
		return nil, &types.NotFoundException{Message: ptr("key " + *ref + " does not exist")}
	}
	return x, nil
}
