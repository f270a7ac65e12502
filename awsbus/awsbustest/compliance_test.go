package awsbustest_test

import (
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/awsbus/awsbustest"
)

// The fakes implement every method of the client interfaces.
var (
	_ awsbus.SQSAPI = (*awsbustest.SQS)(nil)
	_ awsbus.SNSAPI = (*awsbustest.SNS)(nil)
)
