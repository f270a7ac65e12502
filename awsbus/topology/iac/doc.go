// Package iac renders topology plans as infrastructure code: a
// CloudFormation template (CloudFormation) and a Terraform configuration
// (Terraform), so that the queues, dead-letter queues, topics,
// subscriptions, queue policies, KMS key and DynamoDB tables a service
// needs can be deployed by the tools an organisation already reviews
// changes with, and then checked by the services themselves with
// topology.ProvisionValidate.
//
// Both renderers take one or more plans (one per service) and render their
// union once: a queue one service sends to and another consumes is one
// resource, with the consumer's settings; a topic two services share is one
// topic, and a table several services declare alike (they share one store)
// is one table. Two services consuming one queue, a queue named like
// another's dead-letter queue, or one table declared with different keys or
// time to live, are an ErrConflict; so is a shared topic or table whose
// services set more tags together than AWS allows on one resource (50).
// Export every service that shares resources into one template: a queue no
// exported service consumes (Unconsumed lists them) is rendered with a
// sender's settings and would be declared again by its consumer's stack.
//
// What is rendered, per plan:
//
//   - each queue with its dead-letter queue and redrive policy
//     (maxReceiveCount), FIFO and content-based deduplication where the
//     name ends in ".fifo", the visibility timeout and long-poll wait of
//     the plan, a maximum message size of 1 MiB (SQS's maximum: the
//     provider's default is still 256 KiB); dead-letter queues keep
//     messages 14 days;
//   - each topic, and each subscription of an event queue with raw message
//     delivery and a filter policy on the sf_type attribute naming the
//     types its service handles (none past 150, SNS's limit); one to a
//     topic of another account or region, named by ARN, is made in the
//     topic's region, and redrives to the event queue's dead-letter queue
//     only where the output is deployed in that region (SNS redrives only
//     to a queue of the subscription's region);
//   - the policy of each topic an exported service publishes to
//     (topology.Plan.Publishes), refusing publishing without TLS (Deny
//     sns:Publish when aws:SecureTransport is false, statement id
//     topology.SecureTransportSid, as topology's Create writes it). The
//     policy resource (AWS::SNS::TopicPolicy, aws_sns_topic_policy) owns
//     the topic's whole policy: a grant to another account (sns:Subscribe,
//     ListSubscriptionsByTopic, GetTopicAttributes for a consumer of
//     another account) belongs in it, as statements added to its document,
//     not in a second policy resource of the same topic, which would
//     replace it (CloudFormation: the last update wins; Terraform: each
//     apply undoes the other). A topic the exported services only listen
//     to is its publisher's and gets no policy resource, as Create leaves
//     its policy alone;
//   - each event queue's policy letting its topics send to it (condition
//     aws:SourceArn), with the statement ids topology.MergeQueuePolicy
//     writes, under sns.amazonaws.com and the regional SNS principal of a
//     topic of an opt-in region; a topic of a region enabled by default is
//     let in under the deployed region's principal too where the output is
//     deployed in an opt-in region (condition InOptInRegion in
//     CloudFormation, the provider's region in Terraform), as for the
//     key's statement for topics of other accounts;
//   - a KMS key, with rotation on, and its alias, when the plan's key is an
//     alias ("alias/orders") that is not AWS-managed. The key policy leaves
//     the key to the account's IAM policies (as AWS's default key policy
//     does) and lets SNS of this account generate and decrypt data keys,
//     which it needs for queues and topics encrypted at rest under the key.
//     A key given by id, key ARN or alias ARN exists already (an alias ARN
//     names a key of one account and region, often a central one) and is
//     not rendered;
//   - each DynamoDB table, as topology.ApplyTables creates it: on-demand
//     capacity (PAY_PER_REQUEST), string partition and sort keys, and time
//     to live on its TTL attribute when it has one.
//
// Resource ids derive from names alone (CloudFormation logical ids such as
// OrdersFifoQueue, Terraform names such as orders_fifo; a name outside
// lower-case words and hyphens gets a hash of itself, as do a
// subscription's topic and queue names when, joined by "to", they could be
// read as two others: events-to-orders and billing, events and
// orders-to-billing), so exporting more services never renames what is
// deployed, and two resources never share an id.
//
// Queues, dead-letter queues, tables, keys and aliases are protected:
// deleting a queue loses its messages, deleting a table the state of the
// stores, and losing a key or its alias makes the messages encrypted under
// it unreadable to the services (they are granted the key through its
// alias). In CloudFormation they carry DeletionPolicy and
// UpdateReplacePolicy Retain: deleting the stack leaves them. In Terraform
// they carry prevent_destroy: a plan that would destroy or replace one
// fails, and so does terraform destroy; to leave them in place, take them
// out of the state (a removed block with destroy = false, or terraform
// state rm). Changing a table's keys would replace the table: Terraform
// refuses it (prevent_destroy) and CloudFormation cannot replace a resource
// with a fixed name, so the update fails in both; give the new table a new
// name.
//
// The CloudFormation template is a data structure encoded with the YAML
// library (property names are checked by cfn-lint in the integration
// tests); a system of more than 500 resources, which one CloudFormation
// stack cannot declare, is refused (render it as Terraform), and so is a
// template of more than MaxTemplateSize bytes, which CloudFormation does not
// read even from S3. A template of more than MaxTemplateBody bytes cannot
// be passed inline: upload it to S3 and deploy it by URL. The Terraform
// configuration is written with the HCL library's writer (hclwrite), for
// the hashicorp/aws provider 6.8 or later 6.x (AWSProviderVersion):
// earlier versions refuse a max_message_size of 1 MiB.
package iac
