package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// The line the AWS transport logs when it binds a service's topology names
// the service once.
func TestTheAWSBindLogNamesTheServiceOnce(t *testing.T) {
	opts, err := parseFlags([]string{"-transport", "aws"}, io.Discard)
	require.NoError(t, err)
	var logs bytes.Buffer
	logger := watermill.NewSlogLogger(slog.New(slog.NewTextHandler(&logs, nil)))
	brk, err := newBreakers(logger)
	require.NoError(t, err)
	awsCfg := aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: credentials.NewStaticCredentialsProvider("key", "secret", ""),
	}
	w, err := newAWSWiring(awsCfg, brk.payments, opts, logger)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.transport.Close() })
	svc, err := newPaymentsService(cqrs.ServiceConfig{Transport: w.transport}, opts.dests)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Bind logs, then fails on the ended context without calling AWS
	require.Error(t, svc.Start(ctx))
	var bindLines int
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `msg="awsbus: binding the topology`) {
			bindLines++
			assert.Equal(t, 1, strings.Count(line, "service="), line)
			assert.Contains(t, line, "service=payments")
		}
	}
	require.NotZero(t, bindLines, logs.String())
}
