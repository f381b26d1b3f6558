#ifndef TANDEM_CMPI_SHIM_H
#define TANDEM_CMPI_SHIM_H
// MPI's handles and constants are macros (in Open MPI, addresses of library globals cast to
// handle types), which Swift cannot import. These one-line functions give Swift the same values;
// they use only the MPI standard, so the shim builds against Open MPI and MPICH alike.
#include <mpi.h>

static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Comm cmpi_comm_null(void) { return MPI_COMM_NULL; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_max(void) { return MPI_MAX; }
static inline MPI_Op cmpi_min(void) { return MPI_MIN; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Request cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Info cmpi_info_null(void) { return MPI_INFO_NULL; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline int cmpi_any_source(void) { return MPI_ANY_SOURCE; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_comm_type_shared(void) { return MPI_COMM_TYPE_SHARED; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
/// The sender of a received message (the field's name differs in no implementation, but it is
/// upper-case, which reads oddly in Swift).
static inline int cmpi_status_source(const MPI_Status *status) { return status->MPI_SOURCE; }
static inline int cmpi_status_error(const MPI_Status *status) { return status->MPI_ERROR; }

#endif
