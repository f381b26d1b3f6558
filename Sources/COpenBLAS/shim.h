#ifndef TANDEM_COPENBLAS_SHIM_H
#define TANDEM_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
