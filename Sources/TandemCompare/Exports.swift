@_exported import TandemEager
@_exported import TandemGraph
@_exported import TandemDistributed
