# The stand-in cmdlets (modules/) refuse what the real ones refuse: a
# parameter the cmdlet lacks, two parameter sets at once, a value of the
# wrong type, and so do Pester's mocks of them (they copy the parameter
# declarations). A plan that called a cmdlet wrongly would fail the plan
# suites as it would fail on Windows.

BeforeAll {
	. (Join-Path $PSScriptRoot 'PlanTools.ps1')
	Enter-HvStandIn
	$dn = 'CN=HV1,DC=t'
	$ldif = Join-Path $TestDrive 'one.ldif'
	Set-Content $ldif "dn: $dn`nobjectClass: computer`nuserAccountControl: 4096`nservicePrincipalName: HOST/HV1`n"
}
AfterAll {
	Exit-HvStandIn
}

Describe 'the stand-in ActiveDirectory cmdlets' {
	BeforeEach { Import-HvFakeAdLdif $ldif }
	It 'Set-ADObject refuses a parameter it lacks' {
		{ Set-ADObject -Identity $dn -Append @{ a = 'b' } } |
			Should -Throw -ErrorId 'NamedParameterNotFound,Set-ADObject'
	}
	It 'Set-ADObject refuses -Identity and -Instance together' {
		{ Set-ADObject -Identity $dn -Instance $dn } |
			Should -Throw -ErrorId 'AmbiguousParameterSet,Set-ADObject'
	}
	It 'Set-ADObject refuses -Add that is not a hashtable' {
		{ Set-ADObject -Identity $dn -Add 'servicePrincipalName=x' } |
			Should -Throw -ErrorId 'ParameterArgumentTransformationError,Set-ADObject'
	}
	It 'Set-ADObject takes -Add and -Remove in one call, removes first' {
		Set-ADObject -Identity $dn -Remove @{ servicePrincipalName = 'HOST/HV1' } `
			-Add @{ servicePrincipalName = 'HOST/hv1.t' }
		Get-HvFakeAdEntry $dn servicePrincipalName | Should -Be @('HOST/hv1.t')
	}
	It 'Set-ADObject -Add of a value already there is refused, as by the DC' {
		{ Set-ADObject -Identity $dn -Add @{ servicePrincipalName = 'HOST/HV1' } } |
			Should -Throw '*already exists*'
	}
	It 'Get-ADObject refuses -Identity with -LDAPFilter' {
		{ Get-ADObject -Identity $dn -LDAPFilter '(cn=x)' } |
			Should -Throw -ErrorId 'AmbiguousParameterSet,Get-ADObject'
	}
	It 'Get-ADObject -Identity of a missing object throws' {
		{ Get-ADObject -Identity 'CN=nobody,DC=t' -Properties cn } |
			Should -Throw '*Cannot find an object*'
	}
	It 'Get-ADObject reads a multi-valued attribute as a collection' {
		$o = Get-ADObject -Identity $dn -Properties servicePrincipalName, msDS-AllowedToDelegateTo
		@($o.servicePrincipalName) | Should -Be @('HOST/HV1')
		@($o.'msDS-AllowedToDelegateTo').Count | Should -Be 0
	}
	It 'Set-ADAccountControl takes a boolean, not a word' {
		{ Set-ADAccountControl -Identity $dn -TrustedToAuthForDelegation 'yes' } |
			Should -Throw -ErrorId 'ParameterArgumentTransformationError,Set-ADAccountControl'
	}
	It 'Set-ADAccountControl refuses a flag it lacks' {
		{ Set-ADAccountControl -Identity $dn -TrustedToAuthenticateForDelegation $true } |
			Should -Throw -ErrorId 'NamedParameterNotFound,Set-ADAccountControl'
	}
	It 'Set-ADAccountControl -TrustedToAuthForDelegation sets 0x1000000 only' {
		Set-ADAccountControl -Identity $dn -TrustedToAuthForDelegation $true
		Get-HvFakeAdEntry $dn userAccountControl | Should -Be @('16781312')
	}
	It '-AuthType takes only the values of ADAuthType' {
		{ Get-ADObject -Identity $dn -AuthType Kerberos } |
			Should -Throw -ErrorId 'ParameterArgumentTransformationError,Get-ADObject'
	}
}

Describe 'the stand-in Set-VMHost' {
	It 'takes Kerberos and CredSSP only' {
		{ Set-VMHost -ComputerName HV1 -VirtualMachineMigrationAuthenticationType Basic } |
			Should -Throw -ErrorId 'ParameterArgumentTransformationError,Set-VMHost'
	}
	It 'refuses -ComputerName with -CimSession' {
		{ Set-VMHost -ComputerName HV1 -CimSession HV1 } |
			Should -Throw -ErrorId 'AmbiguousParameterSet,Set-VMHost'
	}
}

Describe 'Pester''s mocks of them' {
	It 'keep the declared parameters' {
		Mock Set-ADObject { }
		{ Set-ADObject -Identity $dn -Append @{ a = 'b' } } |
			Should -Throw -ErrorId 'NamedParameterNotFound,*'
		Set-ADObject -Identity $dn -Add @{ a = 'b' }
		Should -Invoke Set-ADObject -Times 1 -Exactly
	}
	It 'keep the parameter types' {
		Mock Set-VMHost { }
		{ Set-VMHost -ComputerName HV1 -VirtualMachineMigrationAuthenticationType Basic } |
			Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
	}
}
