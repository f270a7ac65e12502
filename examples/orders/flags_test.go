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
// and -linger or -health-details without -metrics-addr (nothing to serve)
// too, rather than silently ignored.
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
		{[]string{"-health-details"}, "-health-details needs -metrics-addr"},
		{[]string{"-n", "20001", "-entities", "2"}, "-n 20001 over -entities 2 is more than 10000 orders per entity"},
		{[]string{"-publish-linger", "20ms"}, "-publish-linger need -transport aws"},
	} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), tt.args, &out, &errOut), tt.args)
		assert.Contains(t, errOut.String(), tt.want, tt.args)
		assert.Empty(t, out.String(), tt.args)
	}
}

// A run that finds no database names every place the DSN may come from, as
// -dsn's help does: the flag and both environment variables.
func TestMissingDSNNamesEverySourceOfIt(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	t.Setenv("SOURCEFLOW_STORE_DSN", "")
	t.Setenv("SOURCEFLOW_POSTGRES_DSN", "")
	for _, args := range [][]string{{"-store", "postgres"}, {"-transport", "postgres"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, &out, &errOut), args)
		for _, want := range []string{"-dsn", "$SOURCEFLOW_STORE_DSN", "$SOURCEFLOW_POSTGRES_DSN"} {
			assert.Contains(t, errOut.String(), want, args)
		}
		assert.Empty(t, out.String(), args)
	}
}

// -rate and -stall pace and watch the driver's sends; the other roles do
// not read them, so they are refused there rather than silently ignored.
func TestDriverOnlyFlagsAreRefusedInOtherRoles(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	for _, args := range [][]string{{"-rate", "10"}, {"-stall", "1m"}, {"-n", "3", "-rate", "1", "-stall", "1s"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(context.Background(), args, &out, &errOut), args)
		assert.Contains(t, errOut.String(), "-rate and -stall need -role driver", args)
		assert.Empty(t, out.String(), args)
	}
}

// The roles run on AWS only (the driver sends through SQS and SNS): -role's
// help says so, and so does its refusal of -transport postgres.
func TestRolesSayTheyNeedTheAWSTransport(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	var out, errOut bytes.Buffer
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "with -transport aws and a shared -store (not memory), orders, payments or driver; "+
		"-transport gochannel and postgres run only as all")
	errOut.Reset()
	args := []string{"-transport", "postgres", "-store", "postgres", "-dsn", "postgres://h/db", "-role", "orders"}
	assert.Equal(t, 2, run(context.Background(), args, &out, &errOut))
	assert.Contains(t, errOut.String(), "-role orders needs -transport aws and a shared -store (-transport gochannel and postgres run only as -role all)")
	assert.Empty(t, out.String())
}
