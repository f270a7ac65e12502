package encryption

import (
	"context"
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
// when a message names a key it did not resolve to, so a key rotated by
// moving its alias is accepted.
type allowedKeys struct {
	ids   []string
	kms   kmsCaller
	clock sourceflow.Clock

	mu       sync.Mutex
	arns     map[string]bool
	resolved time.Time
}

// check returns nil when keyARN is allowed (or no KeyIDs are set), else a
// permanent error wrapping ErrKeyNotAllowed.
func (a *allowedKeys) check(ctx context.Context, keyARN string) error {
	if len(a.ids) == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.arns[keyARN] {
		return nil
	}
	if a.arns == nil || a.clock.Now().Sub(a.resolved) >= resolveInterval {
		if err := a.resolveLocked(ctx); err != nil {
			return err
		}
		if a.arns[keyARN] {
			return nil
		}
	}
	return fmt.Errorf("%w: the data key was wrapped under %s, which DecrypterConfig.KeyIDs (%s) does not name",
		ErrKeyNotAllowed, keyARN, strings.Join(a.ids, ", "))
}

// resolveLocked maps every allowed id to its key ARN; the caller holds mu.
func (a *allowedKeys) resolveLocked(ctx context.Context) error {
	arns := make(map[string]bool, len(a.ids))
	for _, id := range a.ids {
		if strings.HasPrefix(id, "arn:") && strings.Contains(id, ":key/") {
			arns[id] = true
			continue
		}
		var out *kms.DescribeKeyOutput
		err := a.kms.call(ctx, "DescribeKey", func(ctx context.Context) error {
			var err error
			out, err = a.kms.api.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
			return err
		})
		if err != nil {
			return fmt.Errorf("resolve allowed key %s: %w", id, err)
		}
		if out.KeyMetadata != nil {
			arns[aws.ToString(out.KeyMetadata.Arn)] = true
		}
	}
	a.arns, a.resolved = arns, a.clock.Now()
	return nil
}
