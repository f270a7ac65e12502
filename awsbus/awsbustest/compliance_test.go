package awsbustest_test

import (
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// The fakes implement every method of the client interfaces.
var (
	_ awsbus.SQSAPI   = (*awsbustest.SQS)(nil)
	_ awsbus.SNSAPI   = (*awsbustest.SNS)(nil)
	_ topology.STSAPI = (*awsbustest.STS)(nil)
)
