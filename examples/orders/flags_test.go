package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A -timeout that leaves no time fails as a usage error naming the flag,
// not as "start payments: context deadline exceeded"; -publish-linger,
// which only the AWS transport has, is refused elsewhere as -kms-key is,
// and -linger without -metrics-addr (nothing to serve) too, rather than
// silently ignored.
func TestRunRejectsTimeoutsThatLeaveNoTimeAndAWSOnlyFlagsElsewhere(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-timeout", "0"}, "-timeout"},
		{[]string{"-timeout", "-1s"}, "-timeout"},
		{[]string{"-linger", "-1s"}, "-linger"},
		{[]string{"-linger", "1s"}, "-linger needs -metrics-addr"},
		{[]string{"-publish-linger", "20ms"}, "-publish-linger need -transport aws"},
	} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tt.args, &out, &errOut), tt.args)
		assert.Contains(t, errOut.String(), tt.want, tt.args)
		assert.Empty(t, out.String(), tt.args)
	}
}
