@_exported import TandemKernels
@_exported import TandemEager
@_exported import TandemGraph
