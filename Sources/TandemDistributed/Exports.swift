@_exported import TandemKernels
