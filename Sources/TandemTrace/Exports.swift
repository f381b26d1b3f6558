@_exported import TandemEager
@_exported import TandemGraph
