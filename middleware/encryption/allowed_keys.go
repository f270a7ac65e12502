package encryption

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow"
)

// resolveInterval is the shortest time between two resolutions of the
// allowed keys, so that a stream of messages under a foreign key costs at
// most one DescribeKey call per key a second.
const resolveInterval = time.Second

// allowedKeys checks the KMS key a data key was wrapped under against
// DecrypterConfig.KeyIDs, resolved to key ARNs. An alias is resolved again
// when a message names a key it did not resolve to, and the keys it
// resolved to before stay allowed, so a key rotated by moving its alias is
// accepted, and so are the messages still under the previous key.
type allowedKeys struct {
	ids    []string
	kms    kmsCaller
	clock  sourceflow.Clock
	region string // of the KMS client, when it reports one

	resolving sync.Mutex // one resolution at a time, outside mu

	mu       sync.RWMutex
	keys     map[string]bool // key ARNs, and the ids of multi-Region keys
	resolved time.Time       // of the last resolution, failed or not
}

// admit checks, before any KMS call, the key a message's header names (the
// key ARN KMS reported when it generated the data key) and returns the
// KeyId to pin KMS Decrypt to. The header is not authenticated until the
// data key is unwrapped, so the pin is what binds it: a header naming an
// allowed key over a data key wrapped under another fails at KMS
// (IncorrectKeyException, ErrTampered) instead of unwrapping it. Without
// KeyIDs nothing is checked and nothing pinned ("").
func (a *allowedKeys) admit(ctx context.Context, headerKeyID string) (string, error) {
	if len(a.ids) == 0 {
		return "", nil
	}
	if !isKeyARN(headerKeyID) {
		return "", fmt.Errorf("%w: the header names %q, not a key ARN, so DecrypterConfig.KeyIDs (%s) cannot be checked",
			ErrKeyNotAllowed, headerKeyID, strings.Join(a.ids, ", "))
	}
	if err := a.check(ctx, headerKeyID); err != nil {
		return "", err
	}
	return inRegion(headerKeyID, a.region), nil
}

// check returns nil when keyARN is allowed (or no KeyIDs are set). A key
// the ids still do not name after a fresh resolution is an error wrapping
// ErrKeyNotAllowed, and the failures of the ids that did not resolve:
// permanent unless one of those is transient. One met while resolutions
// are paced is transient, so the message is tried again after the next.
func (a *allowedKeys) check(ctx context.Context, keyARN string) error {
	if len(a.ids) == 0 || a.allows(keyARN) {
		return nil
	}
	a.resolving.Lock()
	defer a.resolving.Unlock()
	if a.allows(keyARN) { // resolved meanwhile
		return nil
	}
	a.mu.RLock()
	paced := a.keys != nil && a.clock.Now().Sub(a.resolved) < resolveInterval
	a.mu.RUnlock()
	notAllowed := fmt.Errorf("%w: the data key was wrapped under %s, which DecrypterConfig.KeyIDs (%s) does not name",
		ErrKeyNotAllowed, keyARN, strings.Join(a.ids, ", "))
	if paced {
		return fmt.Errorf("%w (%w: the allowed keys were resolved less than %s ago; tried again later)", notAllowed, ErrKMS, resolveInterval)
	}
	err := a.resolve(ctx)
	if a.allows(keyARN) {
		return nil
	}
	if err != nil { // an id left unresolved may name keyARN; a transient failure keeps it transient
		return fmt.Errorf("%w (%w)", notAllowed, err)
	}
	return notAllowed
}

func (a *allowedKeys) allows(keyARN string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.keys[keyARN] || (multiRegionID(keyARN) != "" && a.keys[multiRegionID(keyARN)])
}

// multiRegionID returns the key id of a multi-Region key's ARN ("mrk-…"):
// KMS reports the replica of the caller's Region, whichever Region the
// allowed ARN names.
func multiRegionID(keyARN string) string {
	if i := strings.LastIndex(keyARN, ":key/mrk-"); i >= 0 {
		return keyARN[i+len(":key/"):]
	}
	return ""
}

// inRegion returns the ARN of a multi-Region key's replica in region, when
// region is known: a Decrypt call names a key of the Region it is made in,
// and the producer may have used the replica of another. Any other key
// exists in one Region only and its ARN is returned unchanged.
func inRegion(keyARN, region string) string {
	parts := strings.SplitN(keyARN, ":", 6)
	if region == "" || multiRegionID(keyARN) == "" || len(parts) != 6 {
		return keyARN
	}
	parts[3] = region
	return strings.Join(parts, ":")
}

// isKeyARN reports whether id is a key ARN, not a key id, alias or alias
// ARN.
func isKeyARN(id string) bool {
	return strings.HasPrefix(id, "arn:") && strings.Contains(id, ":key/")
}

// resolve adds the key ARN every allowed id names now; the caller holds
// resolving. An id that does not resolve (an alias deleted after a
// rotation, a key the role may not describe) leaves the others allowed; the
// failures are returned together. A failed resolution is paced like a
// successful one.
func (a *allowedKeys) resolve(ctx context.Context) error {
	found := map[string]bool{}
	var errs []error
	for _, id := range a.ids {
		arn := id
		if !isKeyARN(id) {
			var err error
			if arn, err = a.describe(ctx, id); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		found[arn] = true
		if mrk := multiRegionID(arn); mrk != "" {
			found[mrk] = true
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.keys == nil {
		a.keys = map[string]bool{}
	}
	for k := range found {
		a.keys[k] = true
	}
	a.resolved = a.clock.Now()
	return errors.Join(errs...)
}

func (a *allowedKeys) describe(ctx context.Context, id string) (string, error) {
	var out *kms.DescribeKeyOutput
	err := a.kms.call(ctx, "DescribeKey", func(ctx context.Context) error {
		a.kms.stats.describeKey.Add(1)
		var err error
		out, err = a.kms.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("resolve allowed key %s: %w", id, err)
	}
	if out.KeyMetadata == nil {
		return "", fmt.Errorf("%w: resolve allowed key %s: DescribeKey returned no key metadata", ErrKMS, id)
	}
	return aws.ToString(out.KeyMetadata.Arn), nil
}
