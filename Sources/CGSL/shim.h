#ifndef TANDEM_CGSL_SHIM_H
#define TANDEM_CGSL_SHIM_H
#include <stddef.h>
#include <gsl/gsl_rng.h>
/* gsl/gsl_randist.h pulls in GSL's own CBLAS declarations (through gsl_matrix.h), which clash
   with OpenBLAS's cblas.h in the same Swift module graph; declare only what Tandem uses. */
double gsl_ran_gaussian_ziggurat(const gsl_rng *r, const double sigma);
void gsl_ran_shuffle(const gsl_rng *r, void *base, size_t nmembm, size_t size);
#endif
