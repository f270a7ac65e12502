package dynamostore

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The error of a sweep whose read failed names the outbox's table once per
// shard, whether the read was throttled past its retries (the retry names
// the table) or refused at once (the sweep names it).
func TestDynFaultOutboxSweepErrorNamesTheTableOnce(t *testing.T) {
	for _, fault := range []string{"ProvisionedThroughputExceededException", "ResourceNotFoundException"} {
		t.Run(fault, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := &fakeDynamo{answer: func(string, string) (int, string) { return awsFault(fault, "refused") }}
				_, o := fakeOutbox(t, f, &recordingTransport{})

				_, err := o.Sweep(context.Background())
				require.Error(t, err)
				for line := range strings.Lines(err.Error()) {
					if strings.HasPrefix(line, "shard ") {
						assert.Equal(t, 1, strings.Count(line, "sourceflow_outbox"), "%s", line)
					}
				}
			})
		})
	}
}
