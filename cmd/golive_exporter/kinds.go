package main

// Every kind of check registers itself when its package is imported.
import _ "github.com/golive/golive_exporter/collector/all"
