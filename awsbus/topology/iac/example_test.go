package iac_test

import (
	"fmt"
	"os"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/awsbus/topology/iac"
)

// The plan of a service that consumes one command queue, as Terraform.
func ExampleTerraform() {
	plan, err := billingPlan()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	out, err := iac.Terraform(plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// # SourceFlow topology of billing
	// terraform {
	//   required_providers {
	//     aws = {
	//       source  = "hashicorp/aws"
	//       version = "~> 6.8"
	//     }
	//   }
	// }
	//
	// resource "aws_sqs_queue" "billing_dlq" {
	//   name                      = "billing-dlq"
	//   max_message_size          = 1048576
	//   message_retention_seconds = 1209600
	//   sqs_managed_sse_enabled   = true
	//
	//   lifecycle {
	//     prevent_destroy = true
	//   }
	// }
	//
	// resource "aws_sqs_queue" "billing" {
	//   name                       = "billing"
	//   max_message_size           = 1048576
	//   receive_wait_time_seconds  = 20
	//   sqs_managed_sse_enabled    = true
	//   visibility_timeout_seconds = 30
	//   redrive_policy = jsonencode({
	//     deadLetterTargetArn = aws_sqs_queue.billing_dlq.arn
	//     maxReceiveCount     = 5
	//   })
	//
	//   lifecycle {
	//     prevent_destroy = true
	//   }
	// }
	//
	// resource "aws_sqs_queue_policy" "billing_dlq" {
	//   queue_url = aws_sqs_queue.billing_dlq.url
	//   policy = jsonencode({
	//     Statement = [{
	//       Action = "sqs:*"
	//       Condition = {
	//         Bool = {
	//           "aws:SecureTransport" = "false"
	//         }
	//       }
	//       Effect    = "Deny"
	//       Principal = "*"
	//       Resource  = aws_sqs_queue.billing_dlq.arn
	//       Sid       = "SourceFlowDenyInsecureTransport"
	//     }]
	//     Version = "2012-10-17"
	//   })
	// }
	//
	// resource "aws_sqs_queue_policy" "billing" {
	//   queue_url = aws_sqs_queue.billing.url
	//   policy = jsonencode({
	//     Statement = [{
	//       Action = "sqs:*"
	//       Condition = {
	//         Bool = {
	//           "aws:SecureTransport" = "false"
	//         }
	//       }
	//       Effect    = "Deny"
	//       Principal = "*"
	//       Resource  = aws_sqs_queue.billing.arn
	//       Sid       = "SourceFlowDenyInsecureTransport"
	//     }]
	//     Version = "2012-10-17"
	//   })
	// }
}

// The same plan as a CloudFormation template.
func ExampleCloudFormation() {
	plan, err := billingPlan()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	out, err := iac.CloudFormation(plan)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Print(string(out))
	// Output:
	// AWSTemplateFormatVersion: "2010-09-09"
	// Description: SourceFlow topology of billing
	// Resources:
	//   BillingDlqQueue:
	//     DeletionPolicy: Retain
	//     Properties:
	//       MaximumMessageSize: 1048576
	//       MessageRetentionPeriod: 1209600
	//       QueueName: billing-dlq
	//       SqsManagedSseEnabled: true
	//     Type: AWS::SQS::Queue
	//     UpdateReplacePolicy: Retain
	//   BillingDlqQueuePolicy:
	//     Properties:
	//       PolicyDocument:
	//         Statement:
	//           - Action: sqs:*
	//             Condition:
	//               Bool:
	//                 aws:SecureTransport: "false"
	//             Effect: Deny
	//             Principal: '*'
	//             Resource:
	//               Fn::GetAtt:
	//                 - BillingDlqQueue
	//                 - Arn
	//             Sid: SourceFlowDenyInsecureTransport
	//         Version: "2012-10-17"
	//       Queues:
	//         - Ref: BillingDlqQueue
	//     Type: AWS::SQS::QueuePolicy
	//   BillingQueue:
	//     DeletionPolicy: Retain
	//     Properties:
	//       MaximumMessageSize: 1048576
	//       QueueName: billing
	//       ReceiveMessageWaitTimeSeconds: 20
	//       RedrivePolicy:
	//         deadLetterTargetArn:
	//           Fn::GetAtt:
	//             - BillingDlqQueue
	//             - Arn
	//         maxReceiveCount: 5
	//       SqsManagedSseEnabled: true
	//       VisibilityTimeout: 30
	//     Type: AWS::SQS::Queue
	//     UpdateReplacePolicy: Retain
	//   BillingQueuePolicy:
	//     Properties:
	//       PolicyDocument:
	//         Statement:
	//           - Action: sqs:*
	//             Condition:
	//               Bool:
	//                 aws:SecureTransport: "false"
	//             Effect: Deny
	//             Principal: '*'
	//             Resource:
	//               Fn::GetAtt:
	//                 - BillingQueue
	//                 - Arn
	//             Sid: SourceFlowDenyInsecureTransport
	//         Version: "2012-10-17"
	//       Queues:
	//         - Ref: BillingQueue
	//     Type: AWS::SQS::QueuePolicy
}

// billingPlan is the plan of a service that consumes one command queue.
func billingPlan() (topology.Plan, error) {
	return topology.New(sourceflow.Binding{
		Service: "billing",
		Routes:  []sourceflow.Route{{Type: "billing.Charge", Kind: sourceflow.KindCommand, Destination: "billing"}},
		Listeners: []sourceflow.Listener{
			{Destination: "billing", Kind: sourceflow.KindCommand, Types: []string{"billing.Charge"}},
		},
	}, topology.Options{MaxReceiveCount: 5})
}
