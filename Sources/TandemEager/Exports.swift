@_exported import TandemKernels
@_exported import TandemBoard
