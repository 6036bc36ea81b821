package rules

// LoadGroups gives the external tests (kinds_test.go, which links every
// kind and so cannot be in this package: collector/monitoring imports it)
// the rule files.
var LoadGroups = loadGroups
